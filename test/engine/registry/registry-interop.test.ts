/** berth and skopeo/umoci read each other's pushes through a real docker-registry. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth } from '../../helpers/cli.js';
import { startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { cleanUpOnTermination, destroyStore } from '../../cli/container-cleanup-helper.js';
import { buildImage, busyboxLayer, layerStoreOf } from './image-fixture.js';
import { openTestStore, type TestStore } from './registry-test-setup.js';
import { chainIds } from '../../../source/engine/store/layer-store.js';
import { digestHex } from '../../../source/engine/util/index.js';

let registry: RegistryServer;
let dir: string;
const opened: TestStore[] = [];

test.before(async () => {
  registry = await startRegistry();
  dir = await mkdtemp(join(tmpdir(), 'berth-interop-'));
});

test.after.always(async () => {
  // Stores that ran a container may hold its mounts, cgroups or processes if the run failed.
  for (const store of opened) await destroyStore(store.engine.layout.root);
  for (const store of opened) await store.dispose();
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function store(): Promise<TestStore> {
  const result = await openTestStore();
  opened.push(result);
  cleanUpOnTermination(() => result.engine.layout.root);
  return result;
}

test.serial('an image pushed by skopeo copy pulls in berth with the same digests and runs', async (t) => {
  // Build the image in a scratch store, then lay it out as a plain OCI directory for skopeo.
  const scratch = await store();
  const image = await buildImage(scratch.engine, [
    busyboxLayer(),
    { 'etc/motd': 'from skopeo\n', 'bin/cat': { symlink: 'busybox' } },
  ]);
  const layout = join(dir, 'skopeo-src');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  for (const digest of [image.manifestDigest, image.configDigest, ...image.layerDigests]) {
    await copyFile(scratch.engine.content.path(digest), join(layout, 'blobs', 'sha256', digestHex(digest)));
  }
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: image.manifestDigest,
          size: image.manifestBytes.length,
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ],
    }),
  );
  execFileSync('skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout}:v1`,
    `docker://${registry.host}/interop/skopeo:v1`,
  ]);
  const target = await store();
  const ref = `${registry.host}/interop/skopeo:v1`;
  const pulled = await target.registry.pull(ref);
  t.is(pulled.manifestDigest, image.manifestDigest);
  const sh = await readdir(join(layerStoreOf(target.engine).diffPath(chainIds(image.diffIds)[0]!), 'bin'));
  t.deepEqual(sh.sort(), ['busybox', 'echo', 'sh']);
  // And runs, through the CLI, from the store it was pulled into (PATH is berth's default).
  const ran = await berth(target.engine.layout.root, ['run', '--rm', ref, 'cat', '/etc/motd']);
  t.is(ran.exitCode, 0, ran.stderr);
  t.is(ran.stdout, 'from skopeo\n');
  t.is(ran.stderr, '');
});

test.serial(
  'an image berth pushes is read by skopeo inspect and unpacked by skopeo + umoci identically',
  async (t) => {
    const source = await store();
    const image = await buildImage(source.engine, [busyboxLayer()], { docker: true });
    const ref = `${registry.host}/interop/berth:v1`;
    await source.registry.pushManifest(ref, image.manifestDigest);
    const inspected = JSON.parse(
      execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' }),
    ) as {
      Digest: string;
      Layers: string[];
    };
    t.is(inspected.Digest, image.manifestDigest);
    t.deepEqual(inspected.Layers, image.layerDigests);
    const oci = join(dir, 'skopeo-dst');
    execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${oci}:v1`]);
    const bundle = join(dir, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${oci}:v1`, bundle]);
    const fromUmoci = await readFile(join(bundle, 'rootfs', 'bin', 'busybox'));
    const ours = await readFile(
      join(layerStoreOf(source.engine).diffPath(chainIds(image.diffIds)[0]!), 'bin', 'busybox'),
    );
    t.true(fromUmoci.equals(ours));
    t.deepEqual((await readdir(join(bundle, 'rootfs', 'bin'))).sort(), ['busybox', 'echo', 'sh']);
  },
);
