import test from 'ava';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createEngine, type Digest, type Engine } from '../../../source/engine/index.js';
import { TarWriter } from '../../../source/engine/archive/index.js';
import { busyboxRootfsTar, seedBusybox } from '../../fixtures/busybox.js';

const roots: string[] = [];

async function freshEngine(): Promise<{ engine: Engine; root: string; id: Digest }> {
  const root = await mkdtemp(join(tmpdir(), 'berth-image-store-'));
  roots.push(root);
  const id = await seedBusybox(root);
  return { engine: await createEngine({ root }), root, id };
}

/** A one-file layer tar, to make images that differ from busybox. */
async function layerWith(name: string, body: string): Promise<Readable> {
  const writer = new TarWriter();
  const chunks: Buffer[] = [];
  writer.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => writer.stream.on('end', resolve));
  await writer.add(
    { name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: new Date(0) },
    Buffer.from(body),
  );
  await writer.finish();
  await done;
  return Readable.from([Buffer.concat(chunks)]);
}

async function writeContainer(root: string, id: string, imageId: string, status: string, chainIds: string[]) {
  const dir = join(root, 'containers', id);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'container.json'),
    JSON.stringify({
      id,
      name: `c-${id.slice(0, 4)}`,
      imageId,
      imageRef: 'busybox',
      state: { status },
      chainIds,
    }),
  );
}

test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

test('seeded busybox lists as busybox:latest with its config digest as id', async (t) => {
  const { engine, id } = await freshEngine();
  const images = await engine.images.list();
  t.is(images.length, 1);
  t.deepEqual(images[0]?.repoTags, ['busybox:latest']);
  t.is(images[0]?.id, id);
  const manifest = await engine.images.manifest((await engine.images.resolve('busybox')).record.manifest);
  t.is(manifest.config.digest, id);
  t.true(images[0]!.size > 1_000_000);
});

test('resolve follows docker rules: name, full name, id, short id, digest', async (t) => {
  const { engine, id } = await freshEngine();
  for (const name of [
    'busybox',
    'busybox:latest',
    'docker.io/library/busybox',
    id,
    id.slice(7),
    id.slice(7, 19),
    `sha256:${id.slice(7, 15)}`,
  ]) {
    t.is((await engine.images.resolve(name)).id, id, name);
  }
  const manifest = (await engine.images.resolve('busybox')).record.manifest;
  t.is((await engine.images.resolve(`busybox@${manifest}`)).id, id);
  await t.throwsAsync(engine.images.resolve('busybox:1'), {
    code: 'IMAGE_NOT_FOUND',
    message: 'no such image: busybox:1',
  });
  await t.throwsAsync(engine.images.resolve('nosuch'), { message: 'no such image: nosuch:latest' });
  await t.throwsAsync(engine.images.resolve('Busybox'), { message: /must be lowercase/ });
});

test('tag adds a name to the same image and keeps content/index.json in step', async (t) => {
  const { engine, root, id } = await freshEngine();
  await engine.images.tag('busybox', 'localhost:5000/tools/bb:1.0');
  t.is((await engine.images.resolve('localhost:5000/tools/bb:1.0')).id, id);
  const index = JSON.parse(await readFile(join(root, 'content', 'index.json'), 'utf8')) as {
    manifests: { annotations?: Record<string, string> }[];
  };
  const names = index.manifests.map((entry) => entry.annotations?.['org.opencontainers.image.ref.name']);
  t.deepEqual(names.sort(), ['docker.io/library/busybox:latest', 'localhost:5000/tools/bb:1.0']);
  await t.throwsAsync(engine.images.tag('busybox', 'busybox@sha256:' + 'a'.repeat(64)), {
    message: /digest/,
  });
  const events = (await readFile(join(root, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  t.true(
    events.some(
      (event) => event.action === 'tag' && event.attributes?.name === 'localhost:5000/tools/bb:1.0',
    ),
  );
});

test('rmi by name untags while other names remain, then deletes and collects blobs and layers', async (t) => {
  const { engine, root, id } = await freshEngine();
  await engine.images.tag('busybox', 'other:1');
  t.deepEqual(await engine.images.remove('busybox'), [{ untagged: 'busybox:latest' }]);
  t.is((await engine.images.resolve('other:1')).id, id);
  const lines = await engine.images.remove('other:1');
  t.deepEqual(lines.slice(0, 2), [{ untagged: 'other:1' }, { deleted: id }]);
  t.is(lines.length, 3); // and its one layer
  t.deepEqual(await engine.images.list(), []);
  t.deepEqual(await readdir(join(root, 'content', 'blobs', 'sha256')), []);
  t.deepEqual(await readdir(join(root, 'layers')), []);
});

test('rmi by id refuses an image in several repositories unless forced', async (t) => {
  const { engine, id } = await freshEngine();
  await engine.images.tag('busybox', 'other:1');
  await t.throwsAsync(engine.images.remove(id.slice(7, 19)), {
    message: /referenced in multiple repositories/,
  });
  const lines = await engine.images.remove(id.slice(7, 19), { force: true });
  t.deepEqual(lines.slice(0, 3), [{ untagged: 'busybox:latest' }, { untagged: 'other:1' }, { deleted: id }]);
});

test('rmi refuses an image a container uses; -f untags but keeps its layers', async (t) => {
  const { engine, root, id } = await freshEngine();
  const { chainIds } = await engine.images.resolve('busybox');
  await writeContainer(root, 'a'.repeat(64), id, 'exited', chainIds);
  await t.throwsAsync(engine.images.remove('busybox'), {
    code: 'IMAGE_IN_USE',
    message: /container aaaaaaaaaaaa is using/,
  });
  await t.throwsAsync(engine.images.remove(id), {
    message: /must be forced\) - image is being used by stopped container/,
  });
  t.deepEqual(await engine.images.remove('busybox', { force: true }), [{ untagged: 'busybox:latest' }]);
  const [image] = await engine.images.list();
  t.is(image?.containers, 1);
  t.true(await engine.layers.has(chainIds[0]!));
  await writeContainer(root, 'a'.repeat(64), id, 'running', chainIds);
  await t.throwsAsync(engine.images.remove(id, { force: true }), {
    message: /cannot be forced\) - image is being used by running container/,
  });
});

test('prune removes dangling images; prune -a removes unused tagged ones too', async (t) => {
  const { engine, root, id } = await freshEngine();
  const child = await engine.images.createFromLayers({
    base: 'busybox',
    config: { architecture: 'amd64', os: 'linux', created: new Date().toISOString() },
    layerTars: [await layerWith('hello.txt', 'hello')],
  });
  t.is(child.parent, id);
  t.true((await engine.images.list({ danglingOnly: true })).some((image) => image.id === child.id));
  const pruned = await engine.images.prune();
  t.deepEqual(pruned.lines, [{ deleted: child.id }]);
  t.true(pruned.reclaimed > 0);
  t.is((await engine.images.list()).length, 1);
  const { chainIds } = await engine.images.resolve('busybox');
  await writeContainer(root, 'b'.repeat(64), id, 'exited', chainIds);
  t.deepEqual((await engine.images.prune({ all: true })).lines, []);
  await rm(join(root, 'containers', 'b'.repeat(64)), { recursive: true });
  const all = await engine.images.prune({ all: true });
  t.deepEqual(all.lines, [{ untagged: 'busybox:latest' }, { deleted: id }]);
});

test('images filters: dangling, reference globs, intermediate images only with all', async (t) => {
  const { engine, id } = await freshEngine();
  await engine.images.tag('busybox', 'localhost:5000/team/app:v1');
  const child = await engine.images.createFromLayers({
    base: 'busybox',
    config: { architecture: 'amd64', os: 'linux', created: new Date(Date.now() + 1000).toISOString() },
    layerTars: [await layerWith('a', 'a')],
    tags: ['app:2'],
  });
  const names = async (options: Parameters<Engine['images']['list']>[0]) =>
    (await engine.images.list(options)).flatMap((image) => image.repoTags);
  t.deepEqual(await names({ filters: { reference: ['busy*'] } }), ['busybox:latest']);
  t.deepEqual(await names({ filters: { reference: ['*/team/*:v1'] } }), ['localhost:5000/team/app:v1']);
  t.deepEqual(await names({ filters: { reference: ['app'] } }), ['app:2']);
  t.deepEqual(await names({ filters: { since: 'busybox' } }), ['app:2']);
  t.deepEqual(await names({ filters: { dangling: true } }), []);
  // Untagging the base leaves an untagged parent: hidden by default, listed with all.
  await engine.images.remove('busybox');
  await engine.images.remove('localhost:5000/team/app:v1');
  t.deepEqual(
    (await engine.images.list()).map((image) => image.id),
    [child.id],
  );
  const all = await engine.images.list({ all: true });
  t.true(all.some((image) => image.id === id && image.intermediate));
});

test('import applies -c changes and a message; history and inspect show them', async (t) => {
  const { engine } = await freshEngine();
  const record = await engine.images.importRootfs(createReadStream(await busyboxRootfsTar()), {
    ref: 'custom:1',
    changes: [
      'ENV A=1 B="two words"',
      'CMD ["sh", "-c", "echo hi"]',
      'WORKDIR /tmp',
      'EXPOSE 80 53/udp',
      'LABEL x=y',
      'USER nobody',
    ],
    message: 'made in a test',
  });
  const inspect = await engine.images.inspect('custom:1');
  t.is(inspect.Id, record.id);
  t.deepEqual(inspect.RepoTags, ['custom:1']);
  t.deepEqual(inspect.Config.Env, ['A=1', 'B=two words']);
  t.deepEqual(inspect.Config.Cmd, ['sh', '-c', 'echo hi']);
  t.is(inspect.Config.WorkingDir, '/tmp');
  t.is(inspect.Config.User, 'nobody');
  t.deepEqual(inspect.Config.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  t.deepEqual(inspect.Config.Labels, { x: 'y' });
  t.is(inspect.Comment, 'made in a test');
  t.is(inspect.RootFS.Layers.length, 1);
  const history = await engine.images.history('custom:1');
  t.is(history.length, 1);
  t.is(history[0]?.id, record.id);
  t.is(history[0]?.comment, 'made in a test');
  // Same rootfs as busybox: the layer is shared, not stored twice.
  t.deepEqual(record.chainIds, (await engine.images.resolve('busybox')).chainIds);
  await t.throwsAsync(engine.images.importRootfs(Readable.from([]), { changes: ['RUN rm -rf /'] }), {
    message: /not a valid change/,
  });
});

test('an import whose tar escapes its root is refused and leaves no image, blob or layer', async (t) => {
  const { engine, root } = await freshEngine();
  const before = (await readdir(join(root, 'content', 'blobs', 'sha256'))).sort();
  const evil = await layerWith('../../escape.txt', 'x');
  await t.throwsAsync(engine.images.importRootfs(evil, { ref: 'evil' }));
  t.is((await engine.images.list()).length, 1);
  t.deepEqual((await readdir(join(root, 'content', 'blobs', 'sha256'))).sort(), before);
  t.is((await readdir(join(root, 'layers'))).length, 1);
  t.deepEqual(
    (await readdir(join(root, 'tmp'))).filter((name) => !name.endsWith('.lock')),
    [],
  );
});

test('system df counts shared layers once', async (t) => {
  const { engine } = await freshEngine();
  await engine.images.createFromLayers({
    base: 'busybox',
    config: { architecture: 'amd64', os: 'linux' },
    layerTars: [await layerWith('big', 'x'.repeat(10_000))],
    tags: ['child:1'],
  });
  const df = await engine.images.systemDf();
  t.is(df.images.length, 2);
  const child = df.images.find((image) => image.repoTags.includes('child:1'));
  const base = df.images.find((image) => image.repoTags.includes('busybox:latest'));
  t.is(child?.uniqueSize, 10_000);
  t.is(child?.sharedSize, base?.size);
  t.is(df.imagesSize, (base?.size ?? 0) + 10_000);
  t.is(df.imagesReclaimable, df.imagesSize);
});
