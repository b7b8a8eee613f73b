// Volumes end to end through `berth run` / `create` / `rm` (the built CLI), as issue 4 asks:
// data outlives containers, --volumes-from shares it, :ro refuses writes, copy-up fills new
// volumes, anonymous volumes go with `rm -v`, prune spares what is used, and links in an image
// cannot aim a mount (or the directories made for it) at the host.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { berth } from '../../helpers/cli.js';
import { busyboxRootfsTar, seedBusybox } from '../../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from '../../cli/container-cleanup-helper.js';

let root = '';
let scratch = '';

test.before(async () => {
  cleanUpOnTermination(() => root);
  // Short: the monitor's <root>/containers/<64 hex>/attach.sock must fit in 108 bytes.
  root = await mkdtemp(join(tmpdir(), 'bve-'));
  scratch = await mkdtemp(join(tmpdir(), 'berth-volume-e2e-host-'));
  await seedBusybox(root);
  // An image declaring VOLUME /var/spool (busybox has /var/spool/mail there).
  const volumeImage = await berth(root, [
    'import',
    await busyboxRootfsTar(),
    'withvolume:latest',
    '-c',
    'VOLUME /var/spool',
    '-c',
    'CMD ["sh"]',
  ]);
  if (volumeImage.exitCode !== 0) throw new Error(volumeImage.stderr);
  // An image whose links point out of its root: /data -> /etc, /up -> ../../../..<scratch>.
  const tree = join(scratch, 'evil-rootfs');
  await mkdir(tree);
  execFileSync('tar', ['-xf', await busyboxRootfsTar(), '-C', tree]);
  await symlink('/etc', join(tree, 'data'));
  await symlink(`../../../../../../../..${scratch}/outside`, join(tree, 'up'));
  execFileSync('tar', ['-cf', join(scratch, 'evil.tar'), '-C', tree, '.']);
  const evil = await berth(root, ['import', join(scratch, 'evil.tar'), 'evil:latest', '-c', 'CMD ["sh"]']);
  if (evil.exitCode !== 0) throw new Error(evil.stderr);
});

test.after.always(async () => {
  // Kills by pid, removes cgroups, unmounts and deletes the store, even after a failed test.
  if (root) await destroyStore(root);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function ok(args: string[]): Promise<string> {
  const result = await berth(root, args);
  if (result.exitCode !== 0)
    throw new Error(`berth ${args.join(' ')} → ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

async function volumes(): Promise<string[]> {
  return (await ok(['volume', 'ls', '-q'])).split('\n').filter(Boolean);
}

test.serial('data in a named volume survives rm and is seen by a new container', async (t) => {
  await ok(['run', '--name', 'writer', '-v', 'keep:/data', 'busybox', 'sh', '-c', 'echo kept > /data/file']);
  await ok(['rm', 'writer']);
  t.true((await volumes()).includes('keep'));
  t.is(await ok(['run', '--rm', '-v', 'keep:/other', 'busybox', 'cat', '/other/file']), 'kept\n');
  t.is(await readFile(join(root, 'volumes', 'keep', '_data', 'file'), 'utf8'), 'kept\n');
});

test.serial('--volumes-from shares volumes; :ro and --volumes-from …:ro refuse writes', async (t) => {
  await ok(['create', '--name', 'holder', '-v', 'shared:/shared', '-v', '/anon-shared', 'busybox', 'true']);
  await ok([
    'run',
    '--rm',
    '--volumes-from',
    'holder',
    'busybox',
    'sh',
    '-c',
    'echo from-a > /shared/a; echo x > /anon-shared/b',
  ]);
  t.is(
    await ok(['run', '--rm', '--volumes-from', 'holder', 'busybox', 'cat', '/shared/a', '/anon-shared/b']),
    'from-a\nx\n',
  );
  const readOnlyFrom = await berth(root, [
    'run',
    '--rm',
    '--volumes-from',
    'holder:ro',
    'busybox',
    'sh',
    '-c',
    'cat /shared/a; touch /shared/nope',
  ]);
  t.not(readOnlyFrom.exitCode, 0);
  t.is(readOnlyFrom.stdout, 'from-a\n');
  t.regex(readOnlyFrom.stderr + readOnlyFrom.stdout, /Read-only file system/);
  const readOnly = await berth(root, ['run', '--rm', '-v', 'shared:/s:ro', 'busybox', 'touch', '/s/nope']);
  t.not(readOnly.exitCode, 0);
  t.regex(readOnly.stderr + readOnly.stdout, /Read-only file system/);
  t.deepEqual((await readdir(join(root, 'volumes', 'shared', '_data'))).sort(), ['a']);
  const inUse = await berth(root, ['volume', 'rm', 'shared']);
  t.is(inUse.exitCode, 1, 'a created (never started) container still uses its volume');
  t.regex(inUse.stderr, /volume is in use/);
});

test.serial(
  'copy-up fills a new named volume and an image VOLUME from the image, owners and modes kept',
  async (t) => {
    t.is(await ok(['run', '--rm', '-v', 'spool:/var/spool', 'busybox', 'ls', '/var/spool']), 'mail\n');
    const image = await stat(join(root, 'volumes', 'spool', '_data', 'mail'));
    t.true(image.isDirectory());
    t.is(image.mode & 0o7777, 0o755);
    t.is(await ok(['run', '--name', 'declared', 'withvolume', 'ls', '/var/spool']), 'mail\n');
    const inspected = JSON.parse(await ok(['inspect', 'declared'])) as Array<{
      Mounts: Array<{ Type: string; Name: string; Destination: string; RW: boolean }>;
    }>;
    const mount = inspected[0]?.Mounts.find((entry) => entry.Destination === '/var/spool');
    t.like(mount, { Type: 'volume', RW: true });
    t.regex(mount?.Name ?? '', /^[0-9a-f]{64}$/);
    t.deepEqual(await readdir(join(root, 'volumes', mount?.Name ?? 'missing', '_data')), ['mail']);
    await ok(['rm', '-v', 'declared']);
    t.false(
      (await volumes()).includes(mount?.Name ?? ''),
      'rm -v removed the anonymous volume of the image VOLUME',
    );
  },
);

test.serial(
  'anonymous volumes go with rm -v and stay without it; prune removes only unused ones',
  async (t) => {
    const before = new Set(await volumes());
    await ok(['run', '--name', 'anon-keep', '-v', '/scratch', 'busybox', 'sh', '-c', 'echo 1 > /scratch/f']);
    const kept = (await volumes()).filter((name) => !before.has(name));
    t.is(kept.length, 1);
    t.regex(kept[0] ?? '', /^[0-9a-f]{64}$/);
    await ok(['rm', 'anon-keep']);
    t.true((await volumes()).includes(kept[0] ?? ''), 'rm without -v keeps the anonymous volume');
    await ok(['run', '--name', 'anon-drop', '-v', '/scratch', 'busybox', 'true']);
    const dropped = (await volumes()).filter((name) => !before.has(name) && name !== kept[0]);
    t.is(dropped.length, 1);
    await ok(['rm', '-v', 'anon-drop']);
    t.false((await volumes()).includes(dropped[0] ?? ''));
    await ok(['create', '--name', 'anon-user', '-v', '/inuse', 'busybox', 'true']);
    const used = (await volumes()).filter((name) => !before.has(name) && name !== kept[0]);
    t.is(used.length, 1);
    await ok(['volume', 'create', 'named-unused']);
    const pruned = await ok(['volume', 'prune', '-f']);
    t.true(pruned.includes(kept[0] ?? '-'), 'the unused anonymous volume is pruned');
    t.false(pruned.includes(used[0] ?? '-'), 'a volume of an existing container is kept');
    t.false(pruned.includes('named-unused'), 'named volumes survive prune without -a');
    t.true((await volumes()).includes(used[0] ?? ''));
    await ok(['rm', '-v', 'anon-user']);
  },
);

test.serial(
  'tmpfs and --mount forms reach the container; a bind of a missing --mount source is an error',
  async (t) => {
    const host = join(scratch, 'bind-made-by-v');
    const out = await ok([
      'run',
      '--rm',
      '--tmpfs',
      '/run/t:size=1m',
      '--mount',
      'type=tmpfs,target=/mt',
      '--mount',
      'type=volume,source=viamount,target=/vm,volume-label=via=mount',
      '-v',
      `${host}:/hb`,
      'busybox',
      'sh',
      '-c',
      'grep -E " /run/t | /mt " /proc/mounts | cut -d" " -f2,3; echo b > /hb/f; echo v > /vm/f',
    ]);
    t.deepEqual(out.split('\n').filter(Boolean).sort(), ['/mt tmpfs', '/run/t tmpfs']);
    t.is(await readFile(join(host, 'f'), 'utf8'), 'b\n', '-v created the missing host directory');
    t.deepEqual(
      (
        JSON.parse(await ok(['volume', 'inspect', 'viamount'])) as Array<{ Labels: Record<string, string> }>
      )[0]?.Labels,
      { via: 'mount' },
    );
    const missing = await berth(root, [
      'run',
      '--rm',
      '--mount',
      `type=bind,source=${join(scratch, 'absent')},target=/x`,
      'busybox',
      'true',
    ]);
    t.is(missing.exitCode, 125);
    t.regex(missing.stderr, /bind source path does not exist/);
    const badFlag = await berth(root, ['run', '--rm', '-v', 'no/such:/x', 'busybox', 'true']);
    t.is(badFlag.exitCode, 125);
    t.regex(badFlag.stderr, /invalid argument "no\/such:\/x" for "-v, --volume" flag/);
  },
);

test.serial(
  'links in the image cannot aim a mount, or the directories made for it, at the host',
  async (t) => {
    const hostDir = join(scratch, 'bind-src');
    await mkdir(hostDir);
    const out = await ok([
      'run',
      '--rm',
      '-v',
      `${hostDir}:/data`,
      '-v',
      'escape-vol:/up/made/here',
      'evil',
      'sh',
      '-c',
      `echo pwn > /data/marker; ls /etc/marker; echo deep > /up/made/here/f; ls -d ${scratch}/outside/made/here`,
    ]);
    t.is(
      out,
      `/etc/marker\n${scratch}/outside/made/here\n`,
      'both links were followed inside the container root',
    );
    // The bind landed on the image's /etc (inside the root), and the container's own /etc/hostname,
    // hosts and resolv.conf are mounted over it, on empty mountpoint files the runtime made in the
    // bind's source: docker orders mounts by depth and does the same.
    t.deepEqual((await readdir(hostDir)).sort(), ['hostname', 'hosts', 'marker', 'resolv.conf']);
    for (const name of ['hostname', 'hosts', 'resolv.conf'])
      t.is((await stat(join(hostDir, name))).size, 0, `${name} is only a mountpoint`);
    await t.throwsAsync(
      stat(join(scratch, 'outside')),
      { code: 'ENOENT' },
      'nothing was created outside the rootfs',
    );
    await t.throwsAsync(stat('/etc/marker'), { code: 'ENOENT' });
    t.deepEqual(await readdir(join(root, 'volumes', 'escape-vol', '_data')), ['f']);
    t.is(basename(hostDir), 'bind-src');
  },
);
