/**
 * berth's archives and store read by the real tools: skopeo inspects and copies them, umoci
 * unpacks them to the same file tree as berth's own layer, and what skopeo writes loads back.
 */
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../source/engine/index.js';
import { seedBusybox } from '../fixtures/busybox.js';
import { berth } from '../helpers/cli.js';
import { snapshotTree } from '../engine/archive/tar-fixtures.js';

const work = await mkdtemp(join(tmpdir(), 'berth-interop-'));
const root = join(work, 'root');
let engine: Engine;

test.before(async () => {
  await seedBusybox(root);
  engine = await createEngine({ root });
});

test.after.always(async () => {
  await rm(work, { recursive: true, force: true });
});

interface SkopeoInspect {
  Digest: string;
  Layers: string[];
  Os: string;
  Architecture: string;
}

async function skopeoInspect(reference: string): Promise<SkopeoInspect> {
  const { stdout } = await execa('skopeo', ['inspect', reference]);
  return JSON.parse(stdout) as SkopeoInspect;
}

test('skopeo inspects an OCI archive from `berth save --format oci`', async (t) => {
  const archive = join(work, 'busybox-oci.tar');
  const saved = await berth(root, ['save', '--format', 'oci', '-o', archive, 'busybox']);
  t.is(saved.exitCode, 0, saved.stderr);
  const image = await engine.images.resolve('busybox');
  const inspected = await skopeoInspect(`oci-archive:${archive}`);
  t.is(inspected.Digest, image.record.manifest);
  t.deepEqual(inspected.Layers, image.record.diffIds);
  t.is(`${inspected.Os}/${inspected.Architecture}`, 'linux/amd64');
});

test('umoci unpacks the OCI archive (via skopeo copy to an OCI dir) to the same tree as berth', async (t) => {
  const archive = join(work, 'unpack-oci.tar');
  t.is((await berth(root, ['save', '--format', 'oci', '-o', archive, 'busybox'])).exitCode, 0);
  const layout = join(work, 'layout');
  await execa('skopeo', ['copy', `oci-archive:${archive}`, `oci:${layout}:bb`]);
  const bundle = join(work, 'bundle');
  await execa('umoci', ['unpack', '--image', `${layout}:bb`, bundle]);
  const image = await engine.images.resolve('busybox');
  const berthTree = await snapshotTree(engine.layers.diffPath(image.chainIds[0]!));
  const umociTree = await snapshotTree(join(bundle, 'rootfs'));
  t.true(berthTree.length > 100);
  t.deepEqual(umociTree, berthTree);
});

test('skopeo reads and copies a docker-archive from `berth save`', async (t) => {
  const archive = join(work, 'busybox-docker.tar');
  t.is((await berth(root, ['save', '-o', archive, 'busybox'])).exitCode, 0);
  const image = await engine.images.resolve('busybox');
  const inspected = await skopeoInspect(`docker-archive:${archive}`);
  t.deepEqual(inspected.Layers, image.record.diffIds);
  const copy = join(work, 'from-docker');
  await execa('skopeo', ['copy', `docker-archive:${archive}`, `oci:${copy}:bb`]);
  // skopeo compresses layers on copy; the config still lists berth's diff ids.
  const { stdout } = await execa('skopeo', ['inspect', '--config', `oci:${copy}:bb`]);
  const config = JSON.parse(stdout) as { rootfs: { diff_ids: string[] } };
  t.deepEqual(config.rootfs.diff_ids, image.record.diffIds);
});

test("skopeo reads berth's store as an OCI layout by full reference", async (t) => {
  const image = await engine.images.resolve('busybox');
  const inspected = await skopeoInspect(`oci:${join(root, 'content')}:docker.io/library/busybox:latest`);
  t.is(inspected.Digest, image.record.manifest);
});

test('an OCI archive written by skopeo loads into berth with the same image id', async (t) => {
  const archive = join(work, 'by-skopeo.tar');
  await execa('skopeo', [
    'copy',
    `oci:${join(root, 'content')}:docker.io/library/busybox:latest`,
    `oci-archive:${archive}:example.com/skopeo/busybox:copied`,
  ]);
  const target = join(work, 'target');
  const loaded = await berth(target, ['load', '-i', archive]);
  t.is(loaded.stdout, 'Loaded image: example.com/skopeo/busybox:copied\n', loaded.stderr);
  const other = await createEngine({ root: target });
  t.is(
    (await other.images.resolve('example.com/skopeo/busybox:copied')).id,
    (await engine.images.resolve('busybox')).id,
  );
});
