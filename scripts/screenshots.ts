/**
 * Takes the dashboard screenshots in media/ from a real run: a fresh store with containers made
 * by the real `berth run -d`, the built `berth` in tmux, each pane captured with its colours
 * (`capture-pane -e`), rendered ANSI → SVG here and SVG → PNG by rsvg-convert (Debian's
 * librsvg2-bin). Run: `npm run build && node --import tsx scripts/screenshots.ts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { screenToSvg } from './screenshots-ansi-svg.js';

const top = fileURLToPath(new URL('..', import.meta.url));
const cli = join(top, 'dist', 'cli', 'main.js');
const media = join(top, 'media');
const columns = 110;
const rows = 30;
const socket = `berth-shots-${process.pid}`;

function berth(root: string, ...args: string[]): string {
  const result = spawnSync('node', [cli, '--root', root, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`berth ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const tmux = (...args: string[]): string =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

async function keys(...sequence: string[]): Promise<void> {
  for (const key of sequence) {
    tmux('send-keys', '-t', 'shots', key);
    await sleep(150);
  }
}

async function waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(tmux('capture-pane', '-p', '-t', 'shots'))) return;
    await sleep(200);
  }
  throw new Error(`the dashboard never showed ${pattern}`);
}

async function shoot(name: string, title: string): Promise<void> {
  await sleep(400);
  const ansi = tmux('capture-pane', '-e', '-p', '-t', 'shots');
  const svg = join(media, `${name}.svg`);
  await writeFile(svg, screenToSvg(ansi, columns, title));
  execFileSync('rsvg-convert', ['-o', join(media, `${name}.png`), svg]);
  await rm(svg);
  process.stdout.write(`media/${name}.png\n`);
}

async function importBusybox(root: string): Promise<void> {
  const rootfs = join(root, 'rootfs-src');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await mkdir(join(rootfs, 'etc'));
  await mkdir(join(rootfs, 'tmp'), { mode: 0o1777 });
  await copyFile('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)) {
    if (applet !== 'busybox') await symlink('busybox', join(rootfs, 'bin', applet)).catch(() => undefined);
  }
  await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\n');
  execFileSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', join(root, 'busybox.tar'), '.']);
  berth(root, 'import', join(root, 'busybox.tar'), 'busybox:latest');
  berth(root, 'tag', 'busybox:latest', 'registry.local/tools/busybox:1.35');
}

const web = `dd if=/dev/zero of=/data/cache.bin bs=1k count=1500 2>/dev/null; i=0; while true; do i=$((i+1)); s=200; [ $((i % 7)) -eq 0 ] && s=500;
echo "$(date +%H:%M:%S) GET /api/items/$i $s $((i % 40 + 3))ms";
[ $s -eq 500 ] && echo "ERROR upstream timeout on request $i" >&2; sleep 0.3; done`;
const worker = `while true; do n=0; while [ $n -lt 40000 ]; do n=$((n+1)); done; echo "processed batch of $n jobs"; sleep 0.2; done`;

async function main(): Promise<void> {
  spawnSync('rsvg-convert', ['--version']).status === 0 ||
    (() => {
      throw new Error('rsvg-convert is missing: apt-get install librsvg2-bin');
    })();
  await mkdir(media, { recursive: true });
  const root = await mkdtemp('/tmp/bs-');
  try {
    await importBusybox(root);
    // Volumes (one in use, a named and an anonymous one unused) and a build-cache entry, for the
    // Volumes and Prune panes.
    berth(root, 'volume', 'create', 'scratch');
    berth(root, 'volume', 'create');
    await mkdir(join(root, 'ctx'));
    await writeFile(join(root, 'ctx', 'Dockerfile'), 'FROM busybox\nRUN echo built > /built\n');
    berth(root, 'build', '-q', '-t', 'report-tool:dev', join(root, 'ctx'));
    berth(
      root,
      'run',
      '-d',
      '--name',
      'web',
      '-p',
      '8080:80',
      '-v',
      'webdata:/data',
      'busybox',
      'sh',
      '-c',
      web,
    );
    berth(root, 'run', '-d', '--name', 'worker', 'busybox', 'sh', '-c', worker);
    berth(root, 'run', '-d', '--name', 'cache', 'busybox', 'sleep', '100000');
    berth(
      root,
      'run',
      '-d',
      '--name',
      'migrate',
      'busybox',
      'sh',
      '-c',
      'echo migrated 42 tables; dd if=/dev/zero of=/tmp/dump bs=1k count=900 2>/dev/null',
    );
    berth(
      root,
      'run',
      '-d',
      '--name',
      'nightly-report',
      'busybox',
      'sh',
      '-c',
      'echo report failed >&2; exit 3',
    );
    await sleep(3000);
    tmux(
      'new-session',
      '-d',
      '-s',
      'shots',
      '-x',
      String(columns),
      '-y',
      String(rows),
      `TERM=xterm-256color node ${cli} --root ${root}`,
    );
    await waitFor(/worker/);
    await sleep(4500); // a couple of stats rounds for the CPU and memory columns
    await shoot('containers', 'berth — Containers');
    await keys('/', 'w', 'e', 'b', 'Enter', '2');
    await waitFor(/GET \/api/);
    await sleep(2500);
    await keys('/', 'E', 'R', 'R', 'O', 'R', 'Enter');
    await shoot('logs', 'berth — Logs (search /ERROR/)');
    await keys('G', '1', '/', 'BSpace', 'BSpace', 'BSpace', 'w', 'o', 'r', 'k', 'Enter', '5');
    await sleep(9000);
    await shoot('stats', 'berth — Stats');
    await keys('6');
    await shoot('inspect', 'berth — Inspect');
    await keys('3');
    await shoot('images', 'berth — Images');
    await keys('4');
    await waitFor(/webdata/);
    await shoot('volumes', 'berth — Volumes');
    await keys('7');
    await waitFor(/reclaimable/);
    await shoot('prune', 'berth — Prune');
    await keys('?');
    await shoot('help', 'berth — Help (generated from the keymap)');
    await keys('q', 'q');
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    const ids = spawnSync('node', [cli, '--root', root, 'ps', '-aq'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    if (ids.length > 0) spawnSync('node', [cli, '--root', root, 'rm', '-f', ...ids]);
    await rm(root, { recursive: true, force: true });
  }
}

await main();
