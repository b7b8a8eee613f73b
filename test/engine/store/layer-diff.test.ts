import test from 'ava';
import { chmod, chown, link, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsOps, readTar } from '../../../source/engine/archive/index.js';
import { LayerStore, createLayerDiff } from '../../../source/engine/store/layer-store.js';
import { storeLayout } from '../../../source/engine/util/index.js';
import { collect, makeTar, mountOverlay, snapshotTree, streamOf, unmount } from '../archive/tar-fixtures.js';

let root: string;
const mounts: string[] = [];

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-diff-'));
});

test.after.always(async () => {
  for (const target of mounts) unmount(target);
  await rm(root, { recursive: true, force: true });
});

test('a real overlay upper dir diffs to a changeset that unpacks to the same view', async (t) => {
  const layout = storeLayout(join(root, 'store'));
  const store = new LayerStore(layout.layers, layout.tmp);
  const baseTar = await makeTar([
    { name: 'bin/sh', body: 'sh', mode: 0o755 },
    { name: 'bin/cat', type: 'hardlink', linkname: 'bin/sh' },
    {
      name: 'bin/ping',
      body: 'ping',
      mode: 0o4755,
      xattrs: { 'security.capability': Buffer.from('0100000220000000000000000000000000000000', 'hex') },
    },
    { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n' },
    { name: 'etc/group', body: 'root:x:0:\n' },
    { name: 'etc/tagged', body: 't', xattrs: { 'user.berth': Buffer.from('yes') } },
    { name: 'opt/app/a', body: 'a' },
    { name: 'opt/app/sub/b', body: 'b' },
    { name: 'var/log/old.log', body: 'old' },
  ]);
  const base = await store.unpack(streamOf(baseTar), undefined);
  const lower = store.diffPath(base.chainId);

  const upper = join(root, 'upper');
  const work = join(root, 'work');
  const merged = join(root, 'merged');
  await Promise.all([upper, work, merged].map((dir) => mkdir(dir)));
  mounts.push(merged);
  mountOverlay(merged, [lower], { upper, work });
  t.teardown(() => unmount(merged));

  const fsops = FsOps.start();
  t.teardown(() => fsops.close());
  const at = (path: string) => join(merged, path);
  await writeFile(at('etc/passwd'), 'root:x:0:0::/root:/bin/ash\n');
  await rm(at('etc/group'));
  await rm(at('var/log'), { recursive: true });
  await rm(at('opt/app'), { recursive: true });
  await mkdir(at('opt/app'));
  await writeFile(at('opt/app/fresh'), 'fresh');
  await chmod(at('bin/sh'), 0o700);
  await chown(at('etc/tagged'), 1234, 5678);
  await rename(at('bin/ping'), at('bin/ping2'));
  await mkdir(at('new/empty'), { recursive: true, mode: 0o711 });
  await writeFile(at('new/one'), 'linked');
  await link(at('new/one'), at('new/two'));
  await symlink('../etc/passwd', at('new/sym'));
  await writeFile(at('new/xattr'), 'x');
  await fsops.lsetxattr(at('new/xattr'), 'user.note', Buffer.from([0, 255, 10]));
  await fsops.mknod(at('new/fifo'), 'fifo', 0o640);
  const expected = await snapshotTree(merged);
  unmount(merged);

  const diffTar = await collect(createLayerDiff(upper, [lower]));
  t.true(diffTar.equals(await collect(createLayerDiff(upper, [lower]))), 'diff output is deterministic');
  const names: string[] = [];
  for await (const { header } of readTar(streamOf(diffTar))) names.push(header.name);
  for (const name of ['etc/.wh.group', 'var/.wh.log', 'opt/app/.wh..wh..opq', 'bin/.wh.ping', 'new/two']) {
    t.true(names.includes(name), `${name} in ${names.join(' ')}`);
  }
  t.false(names.some((name) => name.startsWith('work')));

  const top = await store.unpack(streamOf(diffTar), base.chainId);
  const view = join(root, 'view');
  await mkdir(view);
  mounts.push(view);
  mountOverlay(view, store.lowerDirs([base.chainId, top.chainId]));
  t.teardown(() => unmount(view));
  t.deepEqual(await snapshotTree(view), expected);
  unmount(view);
});
