/**
 * A build step's upper dir becomes its layer by moving it into the layer store, not by unpacking
 * its tar again. That is only right if the moved tree is the tree the tar unpacks to: the same
 * entries, types, modes, owners, mtimes (whole seconds, as tar keeps them), contents, links,
 * hardlinks, whiteouts and opaque dirs, and the same size on record.
 */
import { link, lstat, lutimes, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { unpackLayerTar } from '../../../source/engine/store/layer-unpack.js';
import { commitUpperDir } from '../../../source/engine/build/layer-commit.js';
import type { Digest } from '../../../source/engine/util/index.js';
import { build, makeStore, seedBusybox, withImageRootfs, writeContext, type TestStore } from './build-fixtures.js';
import { snapshotTree } from '../archive/tar-fixtures.js';

let store: TestStore;
test.before(async () => {
  store = await makeStore();
  await seedBusybox(store);
});
test.after.always(async () => store?.dispose());

/** One line per entry, times in ns; overlayfs' private origin/impure marks are left out (it hides them too). */
const snapshot = (root: string): Promise<string[]> =>
  snapshotTree(root, {
    exact: true,
    keepXattr: (key) => key !== 'trusted.overlay.origin' && key !== 'trusted.overlay.impure',
  });

test('every layer a build stores is the tree its blob unpacks to', async (t) => {
  const context = await writeContext({
    Dockerfile: [
      'FROM busybox',
      'COPY files/ /data/',
      'COPY --chmod=4755 tool /usr/local/bin/tool',
      // A whiteout, an opaque dir, a hardlink and a symlink, made by a container.
      'RUN rm /bin/ls && rm -rf /data/sub && mkdir /data/sub && echo new > /data/sub/only && mkdir -p /opt/x && echo hi > /opt/x/f && ln /opt/x/f /opt/x/g && ln -s f /opt/x/l',
      // Removes a file only this upper dir had: no whiteout reaches the tar.
      'RUN touch /tmp/scratch && rm /tmp/scratch && mkdir /tmp/kept',
      '',
    ].join('\n'),
    'files/a.txt': 'a',
    'files/sub/b.txt': 'b'.repeat(300_000),
    'files/empty/': '',
    tool: '#!/bin/sh\n',
  });
  // A time with a fraction of a second, which tar cannot keep.
  await utimes(join(context, 'files/a.txt'), 1_600_000_000.123456, 1_600_000_000.987654);
  const run = await build(store.deps, { context });
  const record = await store.deps.images.resolve(run.imageId);
  const work = await mkdtemp(join(store.root, 'unpacked-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const manifest = await store.deps.images.manifest(record.record.manifest);
  for (const [index, descriptor] of manifest.layers.entries()) {
    const chain = record.chainIds[index] as Digest;
    const target = join(work, String(index));
    await mkdir(target);
    const { size } = await unpackLayerTar(store.deps.content.createReadStream(descriptor.digest as Digest), target);
    t.deepEqual(await snapshot(store.deps.layers.diffPath(chain)), await snapshot(target), `layer ${index}`);
    t.is(await store.deps.layers.size(chain), size, `size of layer ${index}`);
  }
  // And through a mount the image is what the Dockerfile says.
  await withImageRootfs(store, run.imageId, async (rootfs) => {
    t.is(await readFile(join(rootfs, 'data/a.txt'), 'utf8'), 'a');
    t.is((await lstat(join(rootfs, 'data/a.txt'))).mtimeMs, 1_600_000_000_000);
    t.is((await lstat(join(rootfs, 'usr/local/bin/tool'))).mode & 0o7777, 0o4755);
    t.false(await lstat(join(rootfs, 'bin/ls')).then(() => true, () => false));
    t.deepEqual(await readdir(join(rootfs, 'data/sub')), ['only']);
    t.true((await lstat(join(rootfs, 'tmp/kept'))).isDirectory());
  });
});

test('a step that makes a layer the store has already reuses it', async (t) => {
  const context = await writeContext({ Dockerfile: 'FROM busybox\nCOPY f /f\n', f: 'same' });
  const first = await build(store.deps, { context });
  const second = await build(store.deps, { context, noCache: true });
  const [a, b] = await Promise.all([store.deps.images.resolve(first.imageId), store.deps.images.resolve(second.imageId)]);
  t.deepEqual(a.chainIds, b.chainIds);
  t.is(await readFile(join(store.deps.layers.diffPath(b.chainIds.at(-1) as Digest), 'f'), 'utf8'), 'same');
});

/** A directory like a step's upper dir, every time set to `time`. */
async function makeUpper(dir: string, time: number): Promise<void> {
  await mkdir(join(dir, 'app/sub'), { recursive: true });
  await writeFile(join(dir, 'app/a'), 'a');
  await writeFile(join(dir, 'app/sub/b'), 'b'.repeat(2_000_000));
  await link(join(dir, 'app/a'), join(dir, 'app/a-link'));
  await symlink('sub/b', join(dir, 'app/b-link'));
  await lutimes(join(dir, 'app/b-link'), time, time);
  for (const path of ['app/a', 'app/sub/b', 'app/sub', 'app']) await utimes(join(dir, path), time, time);
}

test('moving an upper dir into the store and unpacking its tar give the same layer', async (t) => {
  const work = await mkdtemp(join(store.root, 'uppers-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const time = 1_700_000_000.5;
  await makeUpper(join(work, 'unpacked'), time);
  await makeUpper(join(work, 'moved'), time);
  const unpacked = await commitUpperDir(store.deps, join(work, 'unpacked'), [], undefined, { move: false });
  const expected = await snapshot(store.deps.layers.diffPath(unpacked.chainId));
  const expectedSize = await store.deps.layers.size(unpacked.chainId);
  await store.deps.layers.delete(unpacked.chainId);
  const moved = await commitUpperDir(store.deps, join(work, 'moved'), [], undefined, { move: true });
  t.deepEqual(moved, unpacked);
  t.deepEqual(await snapshot(store.deps.layers.diffPath(moved.chainId)), expected);
  t.is(await store.deps.layers.size(moved.chainId), expectedSize);
  t.is(expectedSize, 2_000_001, 'a hardlinked file counts once');
  t.false(await lstat(join(work, 'moved')).then(() => true, () => false), 'the upper dir itself became the layer');
});
