/**
 * Failures injected by a proxy in front of a real docker-registry: a connection that dies in the
 * middle of a layer (resumed with Range), 429 with Retry-After, a tampered blob; each ends
 * clearly and leaves nothing partial in the store.
 */
import test from 'ava';
import type { IncomingMessage } from 'node:http';
import {
  startFaultProxy,
  startRegistry,
  type Fault,
  type RegistryServer,
} from '../../helpers/registry-server.js';
import { buildImage, layerStoreOf, randomLayer, type BuiltImage } from './image-fixture.js';
import { leftovers, openTestStore, type TestStore } from './registry-test-setup.js';
import { chainIds } from '../../../source/engine/store/layer-store.js';
import type { TransferEvent } from '../../../source/engine/registry/index.js';

let registry: RegistryServer;
let image: BuiltImage;
const opened: TestStore[] = [];
const proxies: Array<{ close(): Promise<void> }> = [];
const repo = 'test/faults';

async function store(): Promise<TestStore> {
  const result = await openTestStore();
  opened.push(result);
  return result;
}

async function proxy(decide: (request: IncomingMessage) => Fault) {
  const started = await startFaultProxy(registry, decide);
  proxies.push(started);
  return started;
}

test.before(async () => {
  registry = await startRegistry();
  const source = await store();
  image = await buildImage(source.engine, [randomLayer('big', 2), { 'etc/x': 'x' }]);
  await source.registry.pushManifest(`${registry.host}/${repo}:v1`, image.manifestDigest);
});

test.after.always(async () => {
  for (const started of proxies) await started.close();
  for (const result of opened) await result.dispose();
  await registry?.stop();
});

const bigLayer = (request: IncomingMessage): boolean =>
  request.method === 'GET' && (request.url ?? '').endsWith(`/blobs/${image.layerDigests[0]}`);

test.serial('a registry that dies mid-layer is retried and the download resumes with Range', async (t) => {
  let died = false;
  const faulty = await proxy((request) => {
    if (bigLayer(request) && !died) {
      died = true;
      return { kind: 'die-after', bytes: 700_000 };
    }
    return { kind: 'pass' };
  });
  const target = await store();
  const events: TransferEvent[] = [];
  const pulled = await target.registry.pull(`${faulty.host}/${repo}:v1`, {
    onProgress: (e) => events.push(e),
  });
  t.is(pulled.manifestDigest, image.manifestDigest);
  const layerRequests = faulty.seen.filter((s) => s.path.endsWith(image.layerDigests[0]!));
  t.is(layerRequests.length, 2);
  t.regex(layerRequests[1]!.range ?? '', /^bytes=\d+-$/);
  t.true(Number(/\d+/.exec(layerRequests[1]!.range!)![0]) > 0);
  t.true(events.some((e) => e.type === 'layer' && e.state === 'retrying'));
  t.true(await layerStoreOf(target.engine).has(chainIds(image.diffIds)[0]!));
  t.deepEqual(await leftovers(target.engine), []);
});

test.serial('429 with Retry-After is honoured, then the pull goes on', async (t) => {
  let limited = 0;
  const faulty = await proxy((request) => {
    if ((request.url ?? '').includes('/manifests/') && limited < 1) {
      limited++;
      return { kind: 'status', status: 429, headers: { 'Retry-After': '1' } };
    }
    return { kind: 'pass' };
  });
  const target = await store();
  const started = Date.now();
  const pulled = await target.registry.pull(`${faulty.host}/${repo}:v1`);
  t.true(Date.now() - started >= 950, 'waited for Retry-After');
  t.is(pulled.manifestDigest, image.manifestDigest);
});

test.serial('a 429 that does not clear ends with a clear message', async (t) => {
  const faulty = await proxy(() => ({ kind: 'status', status: 429, headers: { 'Retry-After': '3600' } }));
  const target = await store();
  const error = await t.throwsAsync(target.registry.pull(`${faulty.host}/${repo}:v1`));
  t.regex(error.message, /toomanyrequests/);
  t.regex(error.message, /3600s/);
});

test.serial('a tampered blob is refused and nothing partial remains', async (t) => {
  const faulty = await proxy((request) =>
    bigLayer(request) ? { kind: 'tamper', offset: 100_000 } : { kind: 'pass' },
  );
  const target = await store();
  const error = await t.throwsAsync(target.registry.pull(`${faulty.host}/${repo}:v1`));
  t.regex(error.message, /digest mismatch/);
  t.is((error as { code?: string }).code, 'DIGEST_MISMATCH');
  t.false(await target.engine.content.has(image.layerDigests[0]!));
  t.false(await target.engine.content.has(image.manifestDigest));
  t.false(await layerStoreOf(target.engine).has(chainIds(image.diffIds)[0]!));
  t.deepEqual(await target.tags(), {});
  t.deepEqual(await leftovers(target.engine), []);
});

test.serial('a registry that is gone ends with a one-line error', async (t) => {
  const faulty = await proxy(() => ({ kind: 'pass' }));
  await faulty.close();
  const target = await store();
  const error = await t.throwsAsync(target.registry.pull(`${faulty.host}/${repo}:v1`));
  t.regex(error.message, /cannot reach|ECONNREFUSED/);
  t.false(error.message.includes('\n'));
});
