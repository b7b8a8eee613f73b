import test from 'ava';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createEngine, type Engine } from '../../../source/engine/index.js';
import { readTar } from '../../../source/engine/archive/index.js';
import { seedBusybox } from '../../fixtures/busybox.js';
import { collect, makeTar, snapshotTree, streamOf } from '../archive/tar-fixtures.js';

const roots: string[] = [];

async function newRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'berth-image-archive-'));
  roots.push(root);
  return root;
}

async function seeded(): Promise<{ engine: Engine; root: string }> {
  const root = await newRoot();
  await seedBusybox(root);
  const engine = await createEngine({ root });
  await engine.images.tag('busybox', 'localhost:5000/copy:2');
  return { engine, root };
}

async function saveTo(engine: Engine, path: string, refs: string[], format: 'docker' | 'oci'): Promise<void> {
  await engine.images.save(refs, createWriteStream(path), { format });
}

async function entries(path: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for await (const { header, body } of readTar(createReadStream(path))) {
    files.set(header.name, header.type === 'file' ? await collect(body) : Buffer.alloc(0));
  }
  return files;
}

test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

for (const format of ['docker', 'oci'] as const) {
  test(`a ${format} archive loads back identically: ids, manifest digests, names, layer trees`, async (t) => {
    const { engine, root } = await seeded();
    const archive = join(root, `${format}.tar`);
    await saveTo(engine, archive, ['busybox', 'localhost:5000/copy:2'], format);
    const original = await engine.images.resolve('busybox');
    const target = await createEngine({ root: await newRoot() });
    const result = await target.images.load(createReadStream(archive));
    t.deepEqual(result.lines, ['Loaded image: busybox:latest', 'Loaded image: localhost:5000/copy:2']);
    const loaded = await target.images.resolve('localhost:5000/copy:2');
    t.is(loaded.id, original.id);
    t.is(loaded.record.manifest, original.record.manifest);
    t.deepEqual(loaded.chainIds, original.chainIds);
    t.deepEqual(
      await snapshotTree(target.layers.diffPath(loaded.chainIds[0]!)),
      await snapshotTree(engine.layers.diffPath(original.chainIds[0]!)),
    );
    t.deepEqual(
      (await target.images.inspect('busybox')).Config,
      (await engine.images.inspect('busybox')).Config,
    );
  });
}

test('the docker form carries manifest.json, repositories and plain layers named by diff id', async (t) => {
  const { engine, root } = await seeded();
  const archive = join(root, 'docker.tar');
  await saveTo(engine, archive, ['busybox'], 'docker');
  const files = await entries(archive);
  const { id, record } = await engine.images.resolve('busybox');
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as {
    Config: string;
    RepoTags: string[];
    Layers: string[];
  }[];
  t.deepEqual(manifest, [
    {
      Config: `blobs/sha256/${id.slice(7)}`,
      RepoTags: ['busybox:latest'],
      Layers: record.diffIds.map((diffId) => `blobs/sha256/${diffId.slice(7)}`),
    },
  ]);
  t.deepEqual(JSON.parse(files.get('repositories')!.toString()), {
    busybox: { latest: record.diffIds[0]!.slice(7) },
  });
  t.is(files.get('oci-layout')!.toString(), '{"imageLayoutVersion":"1.0.0"}');
});

test('a gzip-compressed archive loads', async (t) => {
  const { engine, root } = await seeded();
  const archive = join(root, 'docker.tar');
  await saveTo(engine, archive, ['busybox'], 'docker');
  await pipeline(createReadStream(archive), createGzip(), createWriteStream(`${archive}.gz`));
  const target = await createEngine({ root: await newRoot() });
  const result = await target.images.load(createReadStream(`${archive}.gz`));
  t.deepEqual(result.lines, ['Loaded image: busybox:latest']);
});

test('a legacy docker archive (<id>/layer.tar, linked duplicate layers) loads', async (t) => {
  const { engine } = await seeded();
  const { id, record } = await engine.images.resolve('busybox');
  const layer = await readFile(engine.content.path(record.diffIds[0]!));
  const config = await readFile(engine.content.path(id));
  const legacy = await makeTar([
    { name: 'abc/', type: 'dir' },
    { name: 'abc/VERSION', body: '1.0' },
    { name: 'abc/json', body: '{}' },
    { name: 'abc/layer.tar', body: layer },
    { name: 'def/', type: 'dir' },
    { name: 'def/layer.tar', type: 'symlink', linkname: '../abc/layer.tar' },
    { name: `${id.slice(7)}.json`, body: config },
    {
      name: 'manifest.json',
      body: JSON.stringify([
        { Config: `${id.slice(7)}.json`, RepoTags: ['legacy:1'], Layers: ['def/layer.tar'] },
      ]),
    },
  ]);
  const target = await createEngine({ root: await newRoot() });
  const result = await target.images.load(streamOf(legacy));
  t.deepEqual(result.lines, ['Loaded image: legacy:1']);
  t.is((await target.images.resolve('legacy:1')).id, id);
});

test('a tampered blob is refused and nothing of the archive stays in the store', async (t) => {
  const { engine, root } = await seeded();
  const archive = join(root, 'oci.tar');
  await saveTo(engine, archive, ['busybox'], 'oci');
  const files = await entries(archive);
  const { record } = await engine.images.resolve('busybox');
  const layerName = `blobs/sha256/${record.diffIds[0]!.slice(7)}`;
  const layer = Buffer.from(files.get(layerName)!);
  layer[layer.length - 2000] ^= 0xff;
  const tampered = await makeTar(
    [...files]
      .filter(([name]) => !name.endsWith('/') && name !== 'blobs' && name !== 'blobs/sha256')
      .map(([name, body]) => ({ name, body: name === layerName ? layer : body })),
  );
  const targetRoot = await newRoot();
  const target = await createEngine({ root: targetRoot });
  await t.throwsAsync(target.images.load(streamOf(tampered)), { code: 'DIGEST_MISMATCH' });
  t.deepEqual(await target.images.list(), []);
  t.deepEqual(await readdir(join(targetRoot, 'content', 'blobs', 'sha256')), []);
  t.deepEqual(await readdir(join(targetRoot, 'layers')), []);
});

test('archives with entries outside the archive or without metadata are refused', async (t) => {
  const target = await createEngine({ root: await newRoot() });
  await t.throwsAsync(target.images.load(streamOf(await makeTar([{ name: '../evil', body: 'x' }]))), {
    code: 'INVALID_ARCHIVE',
  });
  await t.throwsAsync(target.images.load(streamOf(await makeTar([{ name: 'hello', body: 'x' }]))), {
    message: /neither manifest.json nor index.json/,
  });
  const root = await newRoot();
  await writeFile(join(root, 'x'), '');
  await t.throwsAsync(target.images.load(createReadStream(join(root, 'x'))), { code: 'INVALID_ARCHIVE' });
});

test('saving an unknown image fails before writing anything', async (t) => {
  const { engine } = await seeded();
  await t.throwsAsync(engine.images.save(['nosuch'], createWriteStream('/dev/null')), {
    code: 'IMAGE_NOT_FOUND',
  });
});
