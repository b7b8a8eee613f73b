/**
 * Remembered context digests must never hide a change: a rebuild skips reading files whose stat
 * is unchanged, and still rebuilds from the COPY on when a file was touched, rewritten with the
 * same size and mtime (only ctime differs), or renamed; --no-cache and a file written just
 * before it was hashed do not trust what is remembered.
 */
import { readdir, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { contextHashesDir } from '../../../source/engine/build/build-cache.js';
import { ContextHashes } from '../../../source/engine/build/context-hashes.js';
import { build, cachedSteps, makeStore, seedBusybox, withImageRootfs, writeContext, type TestStore } from './build-fixtures.js';

let store: TestStore;
test.before(async () => {
  store = await makeStore();
  await seedBusybox(store);
});
test.after.always(async () => store?.dispose());

const DOCKERFILE = ['FROM busybox', 'COPY a.txt /a.txt', 'COPY dir/ /dir/', 'RUN cat /a.txt /dir/* > /all', ''].join('\n');
const FIXED_TIME = new Date('2020-02-02T02:02:02Z');

/** Files remembered digests can be trusted for: last changed longer ago than the racy window. */
async function settledContext(): Promise<string> {
  const context = await writeContext({ Dockerfile: DOCKERFILE, 'a.txt': 'aaaa', 'dir/x.txt': 'xxxx', 'dir/y.txt': 'yyyy' });
  for (const file of ['a.txt', 'dir/x.txt', 'dir/y.txt']) await utimes(join(context, file), FIXED_TIME, FIXED_TIME);
  await sleep(2300);
  return context;
}

async function imageFile(imageId: string, path: string): Promise<string> {
  return withImageRootfs(store, imageId, (rootfs) => readFile(join(rootfs, path), 'utf8'));
}

interface StoredHashes {
  context: string;
  files: Record<string, { stat: string; digest: string }>;
}

/** The remembered digests of `context`, and the file they are in. */
async function storedHashes(context: string): Promise<{ path: string; stored: StoredHashes }> {
  const dir = contextHashesDir(store.deps.layout);
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const stored = JSON.parse(await readFile(path, 'utf8')) as StoredHashes;
    if (stored.context === context) return { path, stored };
  }
  throw new Error(`no remembered digests for ${context}`);
}

test.serial('a rebuild uses remembered digests, and every kind of change still rebuilds from its COPY', async (t) => {
  const context = await settledContext();
  const first = await build(store.deps, { context });
  t.deepEqual(Object.keys((await storedHashes(context)).stored.files).sort(), ['a.txt', 'dir/x.txt', 'dir/y.txt']);
  const again = await build(store.deps, { context });
  t.deepEqual(cachedSteps(again), [2, 3, 4]);
  t.is(again.imageId, first.imageId);

  // Same size, same mtime, other bytes: only ctime tells, and it must.
  await writeFile(join(context, 'a.txt'), 'AAAA');
  await utimes(join(context, 'a.txt'), FIXED_TIME, FIXED_TIME);
  const sameStat = await build(store.deps, { context });
  t.deepEqual(cachedSteps(sameStat), []);
  t.is(await imageFile(sameStat.imageId, 'a.txt'), 'AAAA');

  // A touched file in a copied directory: the first COPY is a hit, the second is not.
  await writeFile(join(context, 'dir/y.txt'), 'yyyy, changed');
  const touched = await build(store.deps, { context });
  t.deepEqual(cachedSteps(touched), [2]);
  t.is(await imageFile(touched.imageId, 'all'), 'AAAAxxxxyyyy, changed');

  // Two files of the same size swap names.
  await rename(join(context, 'dir/x.txt'), join(context, 'dir/tmp'));
  await rename(join(context, 'dir/y.txt'), join(context, 'dir/x.txt'));
  await rename(join(context, 'dir/tmp'), join(context, 'dir/y.txt'));
  const swapped = await build(store.deps, { context });
  t.deepEqual(cachedSteps(swapped), [2]);
  t.is(await imageFile(swapped.imageId, 'dir/x.txt'), 'yyyy, changed');
  t.is(await imageFile(swapped.imageId, 'dir/y.txt'), 'xxxx');

  // A renamed file: the checksum covers names.
  await rename(join(context, 'dir/y.txt'), join(context, 'dir/z.txt'));
  const renamed = await build(store.deps, { context });
  t.deepEqual(cachedSteps(renamed), [2]);
  t.is(await imageFile(renamed.imageId, 'dir/z.txt'), 'xxxx');
});

test.serial('a remembered digest is used without reading the file, but not under --no-cache', async (t) => {
  const context = await settledContext();
  await build(store.deps, { context });
  // Forge the remembered digest of a.txt: a build that trusts it keys COPY a.txt differently.
  const real = await (await ContextHashes.open(store.deps.layout, context, true)).digest('a.txt');
  const { path, stored } = await storedHashes(context);
  stored.files['a.txt']!.digest = '0'.repeat(64);
  await writeFile(path, JSON.stringify(stored));
  t.is(await (await ContextHashes.open(store.deps.layout, context, true)).digest('a.txt'), '0'.repeat(64));
  t.is(await (await ContextHashes.open(store.deps.layout, context, false)).digest('a.txt'), real);
  const trusting = await build(store.deps, { context });
  t.deepEqual(cachedSteps(trusting), [], 'the forged digest made a new key');
  // --no-cache reads everything again and remembers the truth.
  await build(store.deps, { context, noCache: true });
  t.is(await (await ContextHashes.open(store.deps.layout, context, true)).digest('a.txt'), real);
});

test.serial('a file written just before it was hashed is not remembered', async (t) => {
  const context = await writeContext({ Dockerfile: 'FROM busybox\nCOPY fresh.txt /fresh.txt\n', 'fresh.txt': 'fresh' });
  const hashes = await ContextHashes.open(store.deps.layout, context, true);
  await hashes.digest('fresh.txt');
  await hashes.save(() => true);
  await t.throwsAsync(storedHashes(context), undefined, 'nothing was written: nothing could be trusted');
  const reopened = await ContextHashes.open(store.deps.layout, context, true);
  // Rewrite with the same size at once: a remembered entry could share its timestamps.
  await writeFile(join(context, 'fresh.txt'), 'FRESH');
  t.is(await reopened.digest('fresh.txt'), await (await ContextHashes.open(store.deps.layout, context, false)).digest('fresh.txt'));
  const run = await build(store.deps, { context });
  t.is(await imageFile(run.imageId, 'fresh.txt'), 'FRESH');
});
