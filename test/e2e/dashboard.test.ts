/**
 * The real `berth` dashboard (node dist/cli/main.js, built first) in tmux against a store whose
 * containers the real engine made with `berth run -d`: keys go in with send-keys, the screen
 * comes back with capture-pane, and the engine is asked (`berth ps -a`) what really happened.
 */
import test from 'ava';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { berth, CLI_MAIN } from '../helpers/cli.js';

// Short: the monitor's attach socket path (<root>/containers/<64 hex>/attach.sock) must fit 108 bytes.
const root = await mkdtemp('/tmp/bd-');
const socket = `berth-e2e-${process.pid}`;
const session = 'dash';

async function tmux(...args: string[]): Promise<string> {
  const result = await execa('tmux', ['-L', socket, ...args], { reject: false });
  return String(result.stdout ?? '');
}

const screen = (): Promise<string> => tmux('capture-pane', '-p', '-t', session);

async function waitForScreen(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await screen();
    if (pattern.test(last)) return last;
    await sleep(150);
  }
  throw new Error(`screen never matched ${pattern}:\n${last}`);
}

async function keys(...sequence: string[]): Promise<void> {
  for (const key of sequence) {
    await tmux('send-keys', '-t', session, key);
    await sleep(120);
  }
}

async function type(text: string): Promise<void> {
  await tmux('send-keys', '-t', session, '-l', text);
  await sleep(120);
}

async function ps(): Promise<string> {
  return (await berth(root, ['ps', '-a'])).stdout;
}

async function waitForPs(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await ps();
    if (pattern.test(last)) return last;
    await sleep(250);
  }
  throw new Error(`berth ps -a never matched ${pattern}:\n${last}`);
}

/** busybox:latest from Debian's busybox-static, imported with the real `berth import`. */
async function importBusybox(): Promise<void> {
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
  const imported = await berth(root, ['import', join(root, 'busybox.tar'), 'busybox:latest']);
  if (imported.exitCode !== 0) throw new Error(`berth import failed: ${imported.stderr}`);
}

async function run(name: string, ...command: string[]): Promise<string> {
  const result = await berth(root, ['run', '-d', '--name', name, ...command]);
  if (result.exitCode !== 0)
    throw new Error(`berth run ${name} failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout.trim();
}

test.after.always(async () => {
  await tmux('kill-server');
  const ids = (await berth(root, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await berth(root, ['rm', '-f', ...ids]);
  await rm(root, { recursive: true, force: true });
});

test.serial(
  'the dashboard lists, stops, follows logs, searches, prunes and execs against the real engine',
  async (t) => {
    await importBusybox();
    // Volumes: one the ticker mounts, one named and one anonymous that nothing uses.
    const anonymous = (await berth(root, ['volume', 'create'])).stdout.trim();
    t.regex(anonymous, /^[0-9a-f]{64}$/);
    t.is((await berth(root, ['volume', 'create', 'keepme'])).exitCode, 0);
    // A build leaves an entry in the build cache for the prune pane to list.
    await mkdir(join(root, 'ctx'));
    await writeFile(join(root, 'ctx', 'Dockerfile'), 'FROM busybox\nRUN echo built > /built\n');
    const built = await berth(root, ['build', '-q', '-t', 'built:1', join(root, 'ctx')]);
    t.is(built.exitCode, 0, built.stderr);
    const tickerId = await run(
      'ticker',
      '-v',
      'tickdata:/data',
      'busybox',
      'sh',
      '-c',
      'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done',
    );
    await run('sleeper', 'busybox', 'sleep', '1000');
    await run(
      'done1',
      'busybox',
      'sh',
      '-c',
      'echo one; dd if=/dev/zero of=/tmp/filler bs=1k count=200 2>/dev/null',
    );
    await run('done2', 'busybox', 'true');
    await waitForPs(/(?=[\s\S]*Exited \(0\)[^\n]*done1)(?=[\s\S]*Exited \(0\)[^\n]*done2)/);

    await tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '120',
      '-y',
      '40',
      `node ${CLI_MAIN} --root ${root}`,
    );
    const first = await waitForScreen(/ticker/);
    t.regex(first, /sleeper\s+busybox:latest\s+Up/);
    t.regex(first, /done1\s+busybox:latest\s+Exited \(0\)/);

    // The first row is the first running container by name: sleeper. `s` stops it.
    await keys('s');
    await waitForScreen(/stopped sleeper/, 30_000);
    t.regex(await waitForPs(/Exited[^\n]*sleeper/), /Exited \(\d+\)[^\n]*sleeper/);

    // Logs of ticker: new lines appear as they are printed, and search finds one.
    await keys('/');
    await type('ticker');
    await keys('Enter', '2');
    const logs = await waitForScreen(/tick \d+/);
    const seen = Math.max(...[...logs.matchAll(/tick (\d+)/g)].map((match) => Number(match[1])));
    const later = await waitForScreen(new RegExp(`tick ${seen + 3}\\b`));
    t.regex(later, /ticker · following/);
    await keys('/');
    await type(`^tick ${seen}$`);
    await keys('Enter');
    t.regex(await waitForScreen(/1 matches/), new RegExp(`tick ${seen}`));
    await keys('G');

    // Volumes: sizes, and who uses each.
    await keys('4');
    const volumes = await waitForScreen(/tickdata/);
    t.regex(volumes, /3 volumes/);
    t.regex(volumes, /tickdata\s+[\d.]+k?B\s+ticker/);
    t.regex(volumes, /keepme\s+[\d.]+k?B\s+unused/);
    t.regex(volumes, new RegExp(`${anonymous.slice(0, 20)}\\S*\\s+[\\d.]+k?B\\s+unused`));

    // Prune lists exactly the stopped containers, with sizes, the unused volumes (the named one
    // unmarked) and the build cache; after y only what was marked is gone.
    await keys('7');
    const prune = await waitForScreen(/(?=[\s\S]*container\s+sleeper)[\s\S]*reclaimable/, 30_000);
    const listed = [...prune.matchAll(/container\s+(\S+)\s+[\d.]+k?M?B/g)].map((match) => match[1]).sort();
    t.deepEqual(listed, ['done1', 'done2', 'sleeper'], prune);
    t.notRegex(prune, /container\s+ticker/);
    t.regex(prune, new RegExp(`● volume\\s+${anonymous}\\s+[\\d.]+k?B`));
    t.regex(prune, /○ volume\s+keepme \(named\)/);
    t.notRegex(prune, /tickdata/);
    t.regex(prune, /● build cache\s+build cache, \d+ entr(y|ies)\s+[\d.]+k?M?B/);
    t.notRegex(prune, /not listed yet|could not list/);
    await keys('x');
    await waitForScreen(/Permanently remove 3 stopped containers, 1 volume, the build cache/);
    await keys('y');
    t.regex(
      await waitForScreen(
        /reclaimed [\d.]+k?M?B · removed 3 stopped containers, 1 volume, the build cache/,
        60_000,
      ),
      /reclaimed/,
    );
    const after = await ps();
    t.regex(after, /ticker/);
    t.notRegex(after, /done1|done2|sleeper/);
    const volumesAfter = (await berth(root, ['volume', 'ls', '-q'])).stdout
      .split('\n')
      .filter(Boolean)
      .sort();
    t.deepEqual(volumesAfter, ['keepme', 'tickdata']);
    const cacheEntries = (await readdir(join(root, 'build-cache')).catch(() => [] as string[])).filter(
      (name) => name.endsWith('.json'),
    );
    t.deepEqual(cacheEntries, []);

    // An exec shell runs hostname inside ticker, and the dashboard comes back when it exits.
    await keys('1', 'e');
    await waitForScreen(/^\/ #/m, 20_000);
    await type('hostname');
    await keys('Enter');
    t.regex(
      await waitForScreen(new RegExp(tickerId.slice(0, 12))),
      new RegExp(`^${tickerId.slice(0, 12)}$`, 'm'),
    );
    await type('exit');
    await keys('Enter');
    t.regex(await waitForScreen(/shell in ticker ended/), /1 Containers/);
    await keys('q');
  },
);
