import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  chmod,
  chown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsOps } from '../../../source/engine/archive/index.js';
import { copyUp } from '../../../source/engine/volume/index.js';

const roots: string[] = [];

test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function base(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-copy-up-'));
  roots.push(dir);
  return dir;
}

/** An image's /var/lib/app as a package would install it: owners, odd modes, links, a fifo, xattrs. */
async function imageTree(rootfs: string): Promise<string> {
  const app = join(rootfs, 'var', 'lib', 'app');
  await mkdir(join(app, 'private', 'deep'), { recursive: true });
  await mkdir(join(app, 'shared'));
  await writeFile(join(app, 'config.ini'), 'key=value\n');
  await writeFile(join(app, 'private', 'deep', 'secret'), 'sshh');
  await writeFile(join(app, 'tool'), '#!/bin/sh\n');
  await link(join(app, 'config.ini'), join(app, 'config.hardlink'));
  await symlink('/etc/passwd', join(app, 'abs-link'));
  await symlink('config.ini', join(app, 'rel-link'));
  execFileSync('mkfifo', [join(app, 'pipe')]);
  await chown(join(app, 'config.ini'), 1000, 1001);
  await chown(join(app, 'private'), 1000, 1000);
  await chown(join(app, 'private', 'deep', 'secret'), 65534, 65534);
  await chown(join(app, 'tool'), 0, 0);
  await chmod(join(app, 'tool'), 0o4755);
  await chmod(join(app, 'private'), 0o700);
  await chmod(join(app, 'shared'), 0o1777);
  await chmod(join(app, 'config.ini'), 0o640);
  execFileSync('setcap', ['cap_net_bind_service=+ep', join(app, 'tool')]);
  const ops = FsOps.start();
  await ops.lsetxattr(join(app, 'config.ini'), 'user.origin', Buffer.from('image'));
  await ops.close();
  await utimes(join(app, 'config.ini'), new Date('2020-02-02T00:00:00Z'), new Date('2020-02-02T00:00:00Z'));
  await chown(app, 1000, 1000);
  await chmod(app, 0o750);
  return app;
}

async function describe(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (path: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(path)).sort()) {
      const full = join(path, name);
      const info = await lstat(full);
      const extra = info.isSymbolicLink()
        ? `->${await readlink(full)}`
        : info.isFile()
          ? `:${info.size}:${Math.floor(info.mtimeMs)}`
          : '';
      lines.push(`${prefix}${name} ${(info.mode & 0o177777).toString(8)} ${info.uid}:${info.gid}${extra}`);
      if (info.isDirectory()) await walk(full, `${prefix}${name}/`);
    }
  };
  await walk(dir, '');
  return lines;
}

test('copies the image tree with owners, modes, times, links, fifos, xattrs and capabilities', async (t) => {
  const dir = await base();
  const rootfs = join(dir, 'rootfs');
  const app = await imageTree(rootfs);
  const data = join(dir, 'volumes', 'v', '_data');
  await mkdir(data, { recursive: true });
  const result = await copyUp(rootfs, '/var/lib/app', data);
  t.true(result.copied);
  t.is(result.entries, 10);
  t.deepEqual(await describe(data), await describe(app));
  const top = await lstat(data);
  t.is(top.mode & 0o7777, 0o750, 'the volume takes the mode of the image directory');
  t.is(`${top.uid}:${top.gid}`, '1000:1000');
  const copied = await lstat(join(data, 'config.ini'));
  const hard = await lstat(join(data, 'config.hardlink'));
  t.is(copied.ino, hard.ino, 'hard links stay linked');
  t.true((await lstat(join(data, 'pipe'))).isFIFO());
  t.is(await readFile(join(data, 'private', 'deep', 'secret'), 'utf8'), 'sshh');
  const ops = FsOps.start();
  try {
    t.deepEqual((await ops.xattrs(join(data, 'config.ini')))['user.origin'], Buffer.from('image'));
  } finally {
    await ops.close();
  }
  t.regex(execFileSync('getcap', [join(data, 'tool')], { encoding: 'utf8' }), /cap_net_bind_service=ep/);
});

test('a volume that is not empty is left alone', async (t) => {
  const dir = await base();
  const rootfs = join(dir, 'rootfs');
  await imageTree(rootfs);
  const data = join(dir, 'data');
  await mkdir(data);
  await writeFile(join(data, 'mine'), 'keep');
  t.deepEqual(await copyUp(rootfs, '/var/lib/app', data), { copied: false, entries: 0 });
  t.deepEqual(await readdir(data), ['mine']);
});

test('nothing at the path, or a file there: nothing to copy', async (t) => {
  const dir = await base();
  const rootfs = join(dir, 'rootfs');
  await mkdir(rootfs);
  await writeFile(join(rootfs, 'file'), 'x');
  const data = join(dir, 'data');
  await mkdir(data);
  t.false((await copyUp(rootfs, '/missing', data)).copied);
  t.false((await copyUp(rootfs, '/file', data)).copied);
  t.deepEqual(await readdir(data), []);
});

test('a link in the image is followed inside the rootfs, never out to the host', async (t) => {
  const dir = await base();
  const rootfs = join(dir, 'rootfs');
  const host = join(dir, 'host-secrets');
  await mkdir(host);
  await writeFile(join(host, 'shadow'), 'host only');
  await mkdir(join(rootfs, 'inside'), { recursive: true });
  await writeFile(join(rootfs, 'inside', 'ok'), 'image');
  await symlink('../host-secrets', join(rootfs, 'vol1')); // on the host this would be <dir>/host-secrets
  await symlink(host, join(rootfs, 'vol2')); // the host path, absolute
  await symlink('../../../../inside', join(rootfs, 'vol3')); // climbs out, lands on /inside
  const data = join(dir, 'data');
  await mkdir(data);
  t.false((await copyUp(rootfs, '/vol1', data)).copied);
  t.false((await copyUp(rootfs, '/vol2', data)).copied);
  t.deepEqual(await readdir(data), []);
  t.true((await copyUp(rootfs, '/vol3', data)).copied);
  t.deepEqual(await readdir(data), ['ok']);
});
