import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog } from '../../../source/engine/events/index.js';
import { storeLayout } from '../../../source/engine/util/index.js';
import {
  ANONYMOUS_LABEL,
  InvalidVolumeNameError,
  NoSuchVolumeError,
  VolumeInUseError,
  VolumeStore,
  volumesUsage,
} from '../../../source/engine/volume/index.js';

const roots: string[] = [];

async function fresh(): Promise<{ root: string; store: VolumeStore; events: EventLog }> {
  const root = await mkdtemp(join(tmpdir(), 'berth-volume-store-'));
  roots.push(root);
  const layout = storeLayout(root);
  const events = new EventLog(layout.events);
  return { root, store: new VolumeStore(layout, events), events };
}

/** A container record as the runner writes it: <root>/containers/<id>/container.json with `mounts`. */
async function containerUsing(root: string, id: string, volumes: string[], status = 'exited'): Promise<void> {
  const dir = join(root, 'containers', id);
  await mkdir(dir, { recursive: true });
  const mounts = volumes.map((name) => ({
    Type: 'volume',
    Name: name,
    Source: join(root, 'volumes', name, '_data'),
    Destination: `/${name}`,
    Mode: '',
    RW: true,
    Propagation: '',
  }));
  await writeFile(
    join(dir, 'container.json'),
    JSON.stringify({ id, name: `c-${id.slice(0, 4)}`, state: { status }, mounts }),
  );
}

test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

test('create makes <root>/volumes/<name>/_data and metadata, and is idempotent', async (t) => {
  const { root, store, events } = await fresh();
  const first = await store.create({ name: 'data', labels: { app: 'web' } });
  t.true(first.created);
  t.is(first.volume.mountpoint, join(root, 'volumes', 'data', '_data'));
  t.deepEqual(await readdir(first.volume.mountpoint), []);
  const again = await store.create({ name: 'data', labels: { other: 'x' } });
  t.false(again.created);
  t.deepEqual(again.volume.labels, { app: 'web' }, 'an existing volume keeps its labels, as docker does');
  const log = await events.readFrom(0);
  t.deepEqual(
    log.events.map((event) => [event.kind, event.action, event.id]),
    [['volume', 'create', 'data']],
  );
});

test('inspect prints docker fields', async (t) => {
  const { root, store } = await fresh();
  await store.create({ name: 'vol1', labels: { a: 'b' } });
  const inspected = await store.inspect('vol1');
  t.deepEqual(Object.keys(inspected), [
    'CreatedAt',
    'Driver',
    'Labels',
    'Mountpoint',
    'Name',
    'Options',
    'Scope',
  ]);
  t.regex(inspected.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(inspected.Mountpoint, join(root, 'volumes', 'vol1', '_data'));
  t.deepEqual(inspected.Labels, { a: 'b' });
  t.deepEqual(inspected.Options, {});
  t.is(inspected.Scope, 'local');
  await t.throwsAsync(store.inspect('missing'), {
    instanceOf: NoSuchVolumeError,
    message: 'no such volume: missing',
  });
});

test('anonymous volumes get 64 hex names and the anonymous label', async (t) => {
  const { store } = await fresh();
  const { volume } = await store.create();
  t.regex(volume.name, /^[0-9a-f]{64}$/);
  t.true(volume.anonymous);
  t.true(Object.hasOwn(volume.labels, ANONYMOUS_LABEL));
});

test('names follow docker: [a-zA-Z0-9][a-zA-Z0-9_.-]+, never a path', async (t) => {
  const { root, store } = await fresh();
  for (const bad of [
    'a',
    '../escape',
    '..',
    '.hidden',
    'a/b',
    '/abs',
    'x/../../y',
    '-dash',
    '_under',
    'sp ace',
    'a\0b',
    'é1',
    'x'.repeat(256),
  ]) {
    await t.throwsAsync(store.create({ name: bad }), { instanceOf: InvalidVolumeNameError }, bad);
  }
  for (const good of ['ab', 'a.b', 'a_b-c', 'A1', '0.0', 'a..']) {
    t.true((await store.create({ name: good })).created, good);
  }
  t.deepEqual((await readdir(join(root, 'volumes'))).sort(), ['0.0', 'A1', 'a..', 'a.b', 'a_b-c', 'ab']);
  t.deepEqual(await readdir(root).then((entries) => entries.filter((entry) => entry.includes('escape'))), []);
  await t.throwsAsync(store.remove('../containers'), { instanceOf: NoSuchVolumeError });
  await t.throwsAsync(store.get('..'), { instanceOf: NoSuchVolumeError });
});

test('other drivers and driver options are refused', async (t) => {
  const { store } = await fresh();
  await t.throwsAsync(store.create({ name: 'nfs', driver: 'nfs' }), { message: /plugin "nfs" not found/ });
  await t.throwsAsync(store.create({ name: 'opt', driverOptions: { type: 'tmpfs' } }), {
    message: /invalid option key/,
  });
});

test('ls sorts naturally and filters dangling, name, label, driver', async (t) => {
  const { root, store } = await fresh();
  for (const name of ['vol10', 'vol2', 'web-data'])
    await store.create({ name, labels: name === 'web-data' ? { tier: 'web', env: 'prod' } : {} });
  await containerUsing(root, 'a'.repeat(64), ['vol2']);
  t.deepEqual(
    (await store.list()).map((volume) => volume.name),
    ['vol2', 'vol10', 'web-data'],
  );
  t.deepEqual(
    (await store.list(['dangling=true'])).map((volume) => volume.name),
    ['vol10', 'web-data'],
  );
  t.deepEqual(
    (await store.list(['dangling=false'])).map((volume) => volume.name),
    ['vol2'],
  );
  t.deepEqual(
    (await store.list(['name=vol'])).map((volume) => volume.name),
    ['vol2', 'vol10'],
  );
  t.deepEqual(
    (await store.list(['name=^web'])).map((volume) => volume.name),
    ['web-data'],
  );
  t.deepEqual(
    (await store.list(['label=tier'])).map((volume) => volume.name),
    ['web-data'],
  );
  t.deepEqual(
    (await store.list(['label=tier=db'])).map((volume) => volume.name),
    [],
  );
  t.deepEqual(
    (await store.list(['label=tier=web', 'label=env=prod'])).map((volume) => volume.name),
    ['web-data'],
  );
  t.deepEqual(
    (await store.list(['driver=local', 'dangling=1'])).map((volume) => volume.name),
    ['vol10', 'web-data'],
  );
  t.deepEqual((await store.list(['dangling=true']))[0]?.usedBy, []);
  t.deepEqual((await store.list(['dangling=false']))[0]?.usedBy, ['a'.repeat(64)]);
  await t.throwsAsync(store.list(['dangling=maybe']), { message: "invalid filter 'dangling=maybe'" });
  await t.throwsAsync(store.list(['colour=red']), { message: "invalid filter 'colour'" });
});

test('rm refuses a volume any container uses, running or not, even with force', async (t) => {
  const { root, store, events } = await fresh();
  await store.create({ name: 'busy' });
  await store.create({ name: 'free' });
  await containerUsing(root, 'b'.repeat(64), ['busy'], 'exited');
  await containerUsing(root, 'c'.repeat(64), ['busy'], 'running');
  const error = await t.throwsAsync(store.remove('busy', { force: true }), { instanceOf: VolumeInUseError });
  t.true(error.message.includes('b'.repeat(64)) && error.message.includes('c'.repeat(64)));
  t.true(await store.exists('busy'));
  await store.remove('free');
  t.false(await store.exists('free'));
  await t.throwsAsync(store.remove('free'), { instanceOf: NoSuchVolumeError });
  await t.notThrowsAsync(store.remove('free', { force: true }));
  t.deepEqual((await readdir(join(root, 'volumes'))).sort(), ['busy'], 'no trash left behind');
  const destroyed = (await events.readFrom(0)).events
    .filter((event) => event.action === 'destroy')
    .map((event) => event.id);
  t.deepEqual(destroyed, ['free']);
});

test('prune removes only unused anonymous volumes; -a all unused; reports reclaimed bytes', async (t) => {
  const { root, store } = await fresh();
  const named = (await store.create({ name: 'named' })).volume;
  const anonymousUnused = (await store.create()).volume;
  const anonymousUsed = (await store.create()).volume;
  await store.create({ name: 'namedused' });
  await containerUsing(root, 'd'.repeat(64), [anonymousUsed.name, 'namedused']);
  await writeFile(join(anonymousUnused.mountpoint, 'f'), Buffer.alloc(1500));
  await writeFile(join(named.mountpoint, 'g'), Buffer.alloc(700));
  const first = await store.prune();
  t.deepEqual(first.deleted, [anonymousUnused.name]);
  t.is(first.reclaimed, 1500);
  t.true(await store.exists('named'));
  const second = await store.prune({ all: true });
  t.deepEqual(second.deleted, ['named']);
  t.is(second.reclaimed, 700);
  t.deepEqual(
    (await store.list()).map((volume) => volume.name).sort(),
    [anonymousUsed.name, 'namedused'].sort(),
  );
});

test('prune --filter label and label!', async (t) => {
  const { store } = await fresh();
  await store.create({ name: 'keep', labels: { keep: '1' } });
  await store.create({ name: 'drop', labels: { team: 'a' } });
  await store.create({ name: 'other' });
  t.deepEqual((await store.prune({ all: true, filters: ['label=team=a'] })).deleted, ['drop']);
  t.deepEqual((await store.prune({ all: true, filters: ['label!=keep'] })).deleted, ['other']);
  t.true(await store.exists('keep'));
  await t.throwsAsync(store.prune({ filters: ['dangling=true'] }), { message: "invalid filter 'dangling'" });
});

test('removeAnonymous (rm -v) removes unused anonymous volumes and keeps named and shared ones', async (t) => {
  const { root, store } = await fresh();
  const mine = (await store.create()).volume.name;
  const shared = (await store.create()).volume.name;
  await store.create({ name: 'named' });
  await containerUsing(root, 'e'.repeat(64), [shared]);
  t.deepEqual(await store.removeAnonymous([mine, shared, 'named', 'gone']), [mine]);
  t.true(await store.exists(shared));
  t.true(await store.exists('named'));
});

test('volumesUsage gives system df sizes and links', async (t) => {
  const { root, store } = await fresh();
  const a = (await store.create({ name: 'aa' })).volume;
  await store.create({ name: 'bb' });
  await writeFile(join(a.mountpoint, 'one'), Buffer.alloc(1000));
  await mkdir(join(a.mountpoint, 'sub'));
  await writeFile(join(a.mountpoint, 'sub', 'two'), Buffer.alloc(24));
  await containerUsing(root, 'f'.repeat(64), ['aa']);
  await containerUsing(root, '1'.repeat(64), ['aa']);
  t.deepEqual(await volumesUsage(root), [
    { name: 'aa', size: 1024, links: 2 },
    { name: 'bb', size: 0, links: 0 },
  ]);
  t.deepEqual(await store.usage(), await volumesUsage(root));
});

test('metadata is JSON a person can read', async (t) => {
  const { root, store } = await fresh();
  await store.create({ name: 'meta', labels: { x: 'y' } });
  const metadata = JSON.parse(await readFile(join(root, 'volumes', 'meta', 'volume.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  t.like(metadata, { name: 'meta', driver: 'local', labels: { x: 'y' }, anonymous: false });
});
