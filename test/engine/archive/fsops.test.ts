import test from 'ava';
import { lstat, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsOps, FsOpsError, nativeBinary } from '../../../source/engine/archive/index.js';

let dir: string;
let fsops: FsOps;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-fsops-'));
  fsops = FsOps.start();
});

test.after.always(async () => {
  await fsops?.close();
  await rm(dir, { recursive: true, force: true });
});

test('the helper is built where nativeBinary looks', (t) => {
  t.regex(nativeBinary('fsops'), /\/build\/berth-fsops$/);
});

test('mknod makes char, block and fifo nodes with exact modes (no umask)', async (t) => {
  await fsops.mknod(join(dir, 'c'), 'char', 0o666, 1, 3);
  await fsops.mknod(join(dir, 'b'), 'block', 0o660, 8, 1);
  await fsops.mknod(join(dir, 'p'), 'fifo', 0o777);
  await fsops.mknod(join(dir, 'wh'), 'char', 0, 0, 0);
  const [c, b, p, wh] = await Promise.all(['c', 'b', 'p', 'wh'].map((name) => lstat(join(dir, name))));
  t.true(c?.isCharacterDevice());
  t.is(c?.rdev, 0x103);
  t.true(b?.isBlockDevice());
  t.is(b?.rdev, 0x801);
  t.true(p?.isFIFO());
  t.is(p && p.mode & 0o7777, 0o777);
  t.is(wh?.rdev, 0);
  t.is(wh && wh.mode & 0o7777, 0);
});

test('xattrs round-trip binary values, and never follow a final symlink', async (t) => {
  const file = join(dir, 'x');
  await writeFile(file, '');
  await symlink(file, join(dir, 'link-to-x'));
  const value = Buffer.from([0, 1, 2, 0x0a, 0xff, 0x20, 0x3d]);
  // Pipelined: replies come back in order.
  await Promise.all([
    fsops.lsetxattr(file, 'user.bin', value),
    fsops.lsetxattr(file, 'user.empty', Buffer.alloc(0)),
    fsops.lsetxattr(file, 'trusted.overlay.opaque', Buffer.from('y')),
  ]);
  const xattrs = await fsops.xattrs(file);
  t.deepEqual(xattrs['user.bin'], value);
  t.deepEqual(xattrs['user.empty'], Buffer.alloc(0));
  t.deepEqual(xattrs['trusted.overlay.opaque'], Buffer.from('y'));
  t.deepEqual(await fsops.xattrs(join(dir, 'link-to-x')), {});
});

test('errors name the operation and path and keep the stream in step', async (t) => {
  const missing = join(dir, 'missing', 'x');
  const results = await Promise.allSettled([
    fsops.xattrs(missing),
    fsops.mknod(join(dir, 'ok-fifo'), 'fifo', 0o600),
    fsops.lsetxattr(missing, 'user.a', Buffer.from('a')),
  ]);
  t.is(results[0].status, 'rejected');
  t.is(results[1].status, 'fulfilled');
  const third = results[2];
  t.true(third.status === 'rejected' && third.reason instanceof FsOpsError);
  t.regex(third.status === 'rejected' ? String(third.reason) : '', /setxattr .*missing\/x: No such file/);
});
