/** Push and pull against a real docker-registry over plain http on 127.0.0.1. */
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { buildImage, buildIndex, busyboxLayer, layerStoreOf, randomLayer } from './image-fixture.js';
import { openTestStore, leftovers, type TestStore } from './registry-test-setup.js';
import { chainIds } from '../../../source/engine/store/layer-store.js';
import { sha256, type Digest } from '../../../source/engine/util/index.js';
import type { TransferEvent } from '../../../source/engine/registry/index.js';

let registry: RegistryServer;
const stores: TestStore[] = [];

async function store(): Promise<TestStore> {
  const opened = await openTestStore();
  stores.push(opened);
  return opened;
}

test.before(async () => {
  registry = await startRegistry();
});

test.after.always(async () => {
  for (const opened of stores) await opened.dispose();
  await registry?.stop();
});

test.serial('a pushed image pulls back identical into a fresh store', async (t) => {
  const source = await store();
  const image = await buildImage(source.engine, [
    busyboxLayer(),
    randomLayer('a', 1),
    { 'etc/hello': 'hi\n' },
  ]);
  const ref = `${registry.host}/test/roundtrip:v1`;
  const events: TransferEvent[] = [];
  const pushed = await source.registry.pushManifest(ref, image.manifestDigest, {
    onProgress: (e) => events.push(e),
  });
  t.is(pushed.digest, image.manifestDigest);
  t.true(events.some((e) => e.type === 'layer' && e.state === 'pushed'));

  const target = await store();
  const pulled = await target.registry.pull(ref, { onProgress: (e) => events.push(e) });
  t.is(pulled.digest, image.manifestDigest);
  t.is(pulled.manifestDigest, image.manifestDigest);
  t.is(pulled.configDigest, image.configDigest);
  t.true(pulled.downloaded);
  t.is((await target.tags())[ref], image.manifestDigest);
  const inspected = await target.engine.images.inspect(ref);
  t.deepEqual(inspected.RepoDigests, [`${registry.host}/test/roundtrip@${image.manifestDigest}`]);
  for (const digest of [image.manifestDigest, image.configDigest, ...image.layerDigests]) {
    t.true(await target.engine.content.has(digest), digest);
    t.is(sha256(await target.engine.content.read(digest)), digest);
  }
  const layers = layerStoreOf(target.engine);
  for (const chain of chainIds(image.diffIds)) t.true(await layers.has(chain));
  const busybox = await readdir(layers.diffPath(chainIds(image.diffIds)[0]!) + '/bin');
  t.true(busybox.includes('busybox'));
  t.deepEqual(await leftovers(target.engine), []);

  // Pulled again: nothing is downloaded, every layer "already exists".
  const again: TransferEvent[] = [];
  const second = await target.registry.pull(ref, { onProgress: (e) => again.push(e) });
  t.false(second.downloaded);
  t.is(again.filter((e) => e.type === 'layer' && e.state === 'exists').length, 3);
  t.false(again.some((e) => e.type === 'layer' && e.state === 'downloading'));

  // What pull gave back pushes byte for byte to another repository (mounted, same digest).
  const mountedEvents: TransferEvent[] = [];
  const repushed = await target.registry.pushManifest(
    `${registry.host}/test/copy:v1`,
    pulled.manifestDigest,
    {
      onProgress: (e) => mountedEvents.push(e),
    },
  );
  t.is(repushed.digest, image.manifestDigest);
  t.true(mountedEvents.some((e) => e.type === 'layer' && e.state === 'mounted'));
});

test.serial('pull by digest, missing repository, missing tag and unknown digest', async (t) => {
  const source = await store();
  const image = await buildImage(source.engine, [{ 'etc/one': '1' }], { docker: true });
  await source.registry.pushManifest(`${registry.host}/test/bydigest:latest`, image.manifestDigest);
  const target = await store();
  const pulled = await target.registry.pull(`${registry.host}/test/bydigest@${image.manifestDigest}`);
  t.is(pulled.manifestDigest, image.manifestDigest);
  t.deepEqual(await target.tags(), {});
  t.is((await target.engine.images.resolve(pulled.configDigest)).id, image.configDigest);

  const missingRepo = await t.throwsAsync(target.registry.pull(`${registry.host}/test/nothing-here:latest`));
  t.regex(missingRepo.message, /not found/);
  const missingTag = await t.throwsAsync(target.registry.pull(`${registry.host}/test/bydigest:nope`));
  t.regex(missingTag.message, /manifest for .*:nope not found/);
  const unknown = `sha256:${'0'.repeat(64)}` as Digest;
  const missingDigest = await t.throwsAsync(
    target.registry.pull(`${registry.host}/test/bydigest@${unknown}`),
  );
  t.regex(missingDigest.message, /not found/);
  t.deepEqual(await leftovers(target.engine), []);
});

test.serial('a multi-platform index resolves to the platform asked for', async (t) => {
  const source = await store();
  const amd = await buildImage(source.engine, [{ arch: 'amd64' }], { architecture: 'amd64', label: 'amd' });
  const arm = await buildImage(source.engine, [{ arch: 'arm64' }], {
    architecture: 'arm64',
    variant: 'v8',
    label: 'arm',
  });
  const armv7 = await buildImage(source.engine, [{ arch: 'armv7' }], {
    architecture: 'arm',
    variant: 'v7',
    label: 'v7',
  });
  const index = await buildIndex(source.engine, [
    { image: amd, architecture: 'amd64' },
    { image: arm, architecture: 'arm64', variant: 'v8' },
    { image: armv7, architecture: 'arm', variant: 'v7' },
  ]);
  const ref = `${registry.host}/test/multi:1`;
  const pushed = await source.registry.pushManifest(ref, index);
  t.is(pushed.digest, index);

  const target = await store();
  const arm64 = await target.registry.pull(ref, { platform: 'linux/arm64' });
  t.is(arm64.digest, index);
  t.is(arm64.manifestDigest, arm.manifestDigest);
  const v7 = await target.registry.pull(ref, { platform: 'linux/arm/v7' });
  t.is(v7.manifestDigest, armv7.manifestDigest);
  const none = await t.throwsAsync(target.registry.pull(ref, { platform: 'linux/s390x' }));
  t.regex(none.message, /no matching manifest for linux\/s390x/);
});

test.serial('chunked upload, tag listing and pull --all-tags', async (t) => {
  const source = await store();
  const image = await buildImage(source.engine, [randomLayer('chunky', 0.3)], { gzip: false });
  await source.registry.pushManifest(`${registry.host}/test/chunked:a`, image.manifestDigest, {
    uploadMode: 'chunked',
    chunkSize: 64 * 1024,
  });
  await source.registry.pushManifest(`${registry.host}/test/chunked:b`, image.manifestDigest);
  t.deepEqual((await source.registry.tags(`${registry.host}/test/chunked`)).sort(), ['a', 'b']);
  const target = await store();
  const results = await target.registry.pullAllTags(`${registry.host}/test/chunked`);
  t.deepEqual(
    results.map((r) => r.manifestDigest),
    [image.manifestDigest, image.manifestDigest],
  );
  t.deepEqual(Object.keys(await target.tags()).sort(), [
    `${registry.host}/test/chunked:a`,
    `${registry.host}/test/chunked:b`,
  ]);
});
