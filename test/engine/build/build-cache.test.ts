/**
 * The build cache: a full rebuild is all hits and gives the same image id; changing a copied
 * file's content rebuilds from that COPY on (an mtime alone does not); changing a build arg
 * rebuilds from the first RUN that has it in scope; --no-cache runs everything; a pruned cache
 * rebuilds; the cache is counted for `system df`.
 */
import { chmod, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { Builder, buildCacheUsage } from '../../../source/engine/build/index.js';
import { build, cachedSteps, makeStore, seedBusybox, writeContext, type TestStore } from './build-fixtures.js';

let store: TestStore;
test.before(async () => {
  store = await makeStore();
  await seedBusybox(store);
});
test.after.always(async () => store?.dispose());

const DOCKERFILE = [
  'FROM busybox', // 1
  'ARG FLAVOR=plain', // 2
  'RUN echo base > /base', // 3
  'COPY a.txt /a.txt', // 4
  'RUN cat /a.txt > /a-copy', // 5
  'COPY b.txt /b.txt', // 6
  'RUN echo $FLAVOR > /flavor', // 7
  'CMD ["sh"]', // 8
  '',
].join('\n');

test.serial('a rebuild is fully cached and yields the same image', async (t) => {
  const context = await writeContext({ Dockerfile: DOCKERFILE, 'a.txt': 'a1', 'b.txt': 'b1' });
  const first = await build(store.deps, { context });
  t.deepEqual(cachedSteps(first), []);
  const second = await build(store.deps, { context });
  t.deepEqual(cachedSteps(second), [2, 3, 4, 5, 6, 7, 8]);
  t.is(second.imageId, first.imageId);
  t.is(second.output, '');

  // Only the mtime changes: the checksum ignores it.
  await utimes(join(context, 'a.txt'), new Date('2001-01-01'), new Date('2001-01-01'));
  const touched = await build(store.deps, { context });
  t.is(touched.imageId, first.imageId);

  // New content in a.txt: everything from COPY a.txt on runs again.
  await writeFile(join(context, 'a.txt'), 'a2');
  const changed = await build(store.deps, { context });
  t.deepEqual(cachedSteps(changed), [2, 3]);
  t.not(changed.imageId, first.imageId);

  // A changed build arg: its ARG and the steps without it are hits, the first RUN using it is not.
  const flavored = await build(store.deps, { context, buildArgs: { FLAVOR: 'spicy' } });
  t.deepEqual(cachedSteps(flavored), [2]);
  t.not(flavored.imageId, changed.imageId);

  // A mode change is a content change for the cache.
  await chmod(join(context, 'b.txt'), 0o600);
  const moded = await build(store.deps, { context });
  t.deepEqual(cachedSteps(moded), [2, 3, 4, 5]);

  const noCache = await build(store.deps, { context, noCache: true });
  t.deepEqual(cachedSteps(noCache), []);
});

test.serial('the cache is counted for system df and can be pruned', async (t) => {
  const context = await writeContext({ Dockerfile: 'FROM busybox\nRUN head -c 5000 /dev/zero > /zeros\n' });
  await build(store.deps, { context });
  const usage = await buildCacheUsage(store.deps.layout);
  t.true(usage.entries >= 1);
  t.true(usage.size >= 5000);
  const builder = new Builder({ layout: store.deps.layout, content: store.deps.content, layers: store.deps.layers, images: store.deps.images });
  const pruned = await builder.pruneCache();
  t.true(pruned.removed >= 1);
  t.is((await buildCacheUsage(store.deps.layout)).entries, 0);
  const again = await build(store.deps, { context });
  t.deepEqual(cachedSteps(again), []);
});

test.serial('removing the built image keeps the cache: the store does not collect what it holds', async (t) => {
  const context = await writeContext({ Dockerfile: 'FROM busybox\nRUN echo kept > /kept\n' });
  const first = await build(store.deps, { context, tags: ['cached:one'] });
  await store.deps.images.remove('cached:one', {});
  await store.deps.images.prune({});
  const again = await build(store.deps, { context });
  t.deepEqual(cachedSteps(again), [2], 'the RUN layer came back from the cache');
  t.is(again.imageId, first.imageId);
});
