import test from 'ava';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { MountTargetError, resolveMountTarget } from '../../../source/engine/volume/index.js';

const roots: string[] = [];
const mounted: string[] = [];

test.after.always(async () => {
  for (const point of mounted.reverse()) {
    try {
      execFileSync('umount', [point]);
    } catch {
      execFileSync('umount', ['-l', point]);
    }
  }
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

/** Every path under `dir`, with its type, to prove nothing outside the rootfs changed. */
async function snapshot(dir: string, skip: string): Promise<string[]> {
  const seen: string[] = [];
  const walk = async (path: string): Promise<void> => {
    for (const name of (await readdir(path)).sort()) {
      const full = join(path, name);
      if (full === skip) continue;
      const info = await lstat(full);
      seen.push(
        `${relative(dir, full)}:${info.isDirectory() ? 'd' : info.isSymbolicLink() ? 'l' : 'f'}:${info.size}:${info.mtimeMs}`,
      );
      if (info.isDirectory()) await walk(full);
    }
  };
  await walk(dir);
  return seen;
}

/**
 * <tmp>/host/etc/passwd stands for the host's files; <tmp>/rootfs is the container's root with
 * the nasty links an image could ship.
 */
async function fixture(): Promise<{ base: string; rootfs: string; host: string }> {
  const base = await mkdtemp(join(tmpdir(), 'berth-mount-target-'));
  roots.push(base);
  const rootfs = join(base, 'rootfs');
  const host = join(base, 'host');
  await mkdir(join(host, 'etc'), { recursive: true });
  await writeFile(join(host, 'etc', 'passwd'), 'host secret\n');
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  await mkdir(join(rootfs, 'srv'));
  await symlink('/etc', join(rootfs, 'data')); // absolute: /etc of the container, never the host's
  await symlink('../../..', join(rootfs, 'up')); // climbs above the root
  await symlink('../host/etc', join(rootfs, 'sibling')); // a relative link that on the host would leave the rootfs
  await symlink(join(host, 'etc'), join(rootfs, 'hostabs')); // the host path itself, absolute
  await symlink('hop2', join(rootfs, 'hop1'));
  await symlink('/srv/../../../hop3', join(rootfs, 'hop2'));
  await symlink('../../../../host', join(rootfs, 'hop3'));
  await symlink('loop-b', join(rootfs, 'loop-a'));
  await symlink('loop-a', join(rootfs, 'loop-b'));
  await writeFile(join(rootfs, 'afile'), 'x');
  return { base, rootfs, host };
}

test('a link to /etc lands on the container /etc, never the host one', async (t) => {
  const { base, rootfs } = await fixture();
  const before = await snapshot(base, rootfs);
  const target = await resolveMountTarget(rootfs, '/data');
  t.deepEqual(target, { hostPath: join(rootfs, 'etc'), containerPath: '/etc' });
  t.deepEqual(await snapshot(base, rootfs), before);
});

test('../../.. and absolute host paths stay inside the root', async (t) => {
  const { base, rootfs, host } = await fixture();
  const before = await snapshot(base, rootfs);
  t.deepEqual(await resolveMountTarget(rootfs, '/up/etc'), {
    hostPath: join(rootfs, 'etc'),
    containerPath: '/etc',
  });
  t.deepEqual(await resolveMountTarget(rootfs, '/../../../etc/x'), {
    hostPath: join(rootfs, 'etc', 'x'),
    containerPath: '/etc/x',
  });
  // ../host/etc from the root is /host/etc inside the root: created there, not followed to the host.
  t.deepEqual(await resolveMountTarget(rootfs, '/sibling'), {
    hostPath: join(rootfs, 'host', 'etc'),
    containerPath: '/host/etc',
  });
  const hostAbs = await resolveMountTarget(rootfs, '/hostabs/sub');
  t.is(hostAbs.hostPath, join(rootfs, host.slice(1), 'etc', 'sub'));
  t.true(hostAbs.hostPath.startsWith(rootfs + '/'));
  t.deepEqual(await snapshot(base, rootfs), before, 'nothing outside the rootfs was created or changed');
  t.is(await readFile(join(host, 'etc', 'passwd'), 'utf8'), 'host secret\n');
});

test('nested links are followed inside the root; loops fail', async (t) => {
  const { base, rootfs } = await fixture();
  const before = await snapshot(base, rootfs);
  t.deepEqual(await resolveMountTarget(rootfs, '/hop1/deep/er'), {
    hostPath: join(rootfs, 'host', 'deep', 'er'),
    containerPath: '/host/deep/er',
  });
  await t.throwsAsync(resolveMountTarget(rootfs, '/loop-a/x'), {
    instanceOf: MountTargetError,
    message: /too many levels of symbolic links/,
  });
  t.deepEqual(await snapshot(base, rootfs), before);
});

test('missing components are created inside; files and dirs in the way are refused', async (t) => {
  const { rootfs } = await fixture();
  const dir = await resolveMountTarget(rootfs, '/var/lib/app', 'directory');
  t.true((await lstat(dir.hostPath)).isDirectory());
  const file = await resolveMountTarget(rootfs, '/conf/app.ini', 'file');
  t.true((await lstat(file.hostPath)).isFile());
  t.true((await lstat(join(rootfs, 'conf'))).isDirectory());
  await t.throwsAsync(resolveMountTarget(rootfs, '/afile/sub'), {
    instanceOf: MountTargetError,
    message: /\/afile is not a directory/,
  });
  await t.throwsAsync(resolveMountTarget(rootfs, '/afile', 'directory'), {
    message: /exists and is not a directory/,
  });
  await t.throwsAsync(resolveMountTarget(rootfs, '/etc', 'file'), { message: /is a directory/ });
  await t.throwsAsync(resolveMountTarget(rootfs, '/up'), { message: /resolves to the container's root/ });
});

test('a real bind on the resolved target covers the container path and leaves the host alone', async (t) => {
  const { base, rootfs, host } = await fixture();
  const volume = join(base, 'volume');
  await mkdir(volume);
  await writeFile(join(volume, 'from-volume'), 'v');
  for (const link of ['/data', '/sibling', '/up/host/etc']) {
    const target = await resolveMountTarget(rootfs, link);
    execFileSync('mount', ['--bind', volume, target.hostPath]);
    mounted.push(target.hostPath);
    t.true(target.hostPath.startsWith(rootfs + '/'), link);
  }
  t.deepEqual(await readdir(join(host, 'etc')), ['passwd'], 'the host directory was not covered');
  t.deepEqual(await readdir(join(rootfs, 'etc')), ['from-volume']);
  t.deepEqual(await readdir(join(rootfs, 'host', 'etc')), ['from-volume']);
});
