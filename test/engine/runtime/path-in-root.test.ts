// Paths from inside a container resolved on the host without leaving the container's root.
import test from 'ava';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PathEscapeError,
  readFileInRoot,
  resolveInRoot,
} from '../../../source/engine/runtime/path-in-root.js';

const work = await mkdtemp(join(tmpdir(), 'berth-path-in-root-'));
const root = join(work, 'rootfs');

test.before(async () => {
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'data'));
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  await writeFile(join(work, 'host-secret'), 'host\n');
  await symlink('/etc', join(root, 'abs'));
  await symlink('../../../../../..', join(root, 'data', 'up'));
  await symlink('../host-secret', join(root, 'escape'));
  await symlink('loop-b', join(root, 'loop-a'));
  await symlink('loop-a', join(root, 'loop-b'));
});

test.after.always(async () => {
  await rm(work, { recursive: true, force: true });
});

test('absolute and climbing links are read as if the root were /', async (t) => {
  t.is(await resolveInRoot(root, '/abs/passwd'), join(root, 'etc', 'passwd'));
  t.is(await resolveInRoot(root, '/data/up/etc/passwd'), join(root, 'etc', 'passwd'));
  t.is(await resolveInRoot(root, '../../etc/./passwd'), join(root, 'etc', 'passwd'));
  t.is(await resolveInRoot(root, '/escape'), join(root, 'host-secret'));
});

test('missing components are kept as written; followLast=false keeps the link itself', async (t) => {
  t.is(await resolveInRoot(root, '/abs/new/dir'), join(root, 'etc', 'new', 'dir'));
  t.is(await resolveInRoot(root, '/etc/passwd/below'), join(root, 'etc', 'passwd', 'below'));
  t.is(await resolveInRoot(root, '/data/up', false), join(root, 'data', 'up'));
});

test('a loop of links is an error naming the path', async (t) => {
  const error = await t.throwsAsync(resolveInRoot(root, '/loop-a/x'), { instanceOf: PathEscapeError });
  t.is(error?.message, 'cannot resolve /loop-a/x inside the container: too many levels of symbolic links');
});

test('readFileInRoot reads through links inside the root and never the host file', async (t) => {
  t.is(await readFileInRoot(root, '/abs/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  t.is(await readFileInRoot(root, '/escape'), undefined);
  t.is(await readFileInRoot(root, '/data'), undefined);
});
