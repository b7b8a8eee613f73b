/**
 * Builds small real images for registry tests straight into berth's content and layer stores:
 * GNU tar layers (gzip or plain), an OCI or docker config and manifest, optionally a
 * multi-platform index. Blobs are byte-for-byte what skopeo would push.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Engine } from '../../../source/engine/index.js';
import { chainIds } from '../../../source/engine/store/layer-store.js';
import type { LayerStore } from '../../../source/engine/store/layer-store.js';
import { sha256, type Digest } from '../../../source/engine/util/index.js';

export type LayerFiles = Record<string, string | Buffer | { symlink: string } | { copyFrom: string }>;

export interface BuiltImage {
  manifestDigest: Digest;
  configDigest: Digest;
  layerDigests: Digest[];
  diffIds: Digest[];
  manifestBytes: Buffer;
}

export function layerStoreOf(engine: Engine): LayerStore {
  return engine.layers;
}

async function tarOf(files: LayerFiles): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-layer-'));
  try {
    for (const [path, value] of Object.entries(files)) {
      const target = join(dir, path);
      await mkdir(dirname(target), { recursive: true });
      if (typeof value === 'string' || Buffer.isBuffer(value)) await writeFile(target, value);
      else if ('symlink' in value) await symlink(value.symlink, target);
      else await copyFile(value.copyFrom, target);
    }
    return execFileSync(
      'tar',
      ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', '-', '.'],
      { maxBuffer: 1 << 30 },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A layer of `megabytes` random (incompressible) bytes in one file. */
export function randomLayer(name: string, megabytes: number): LayerFiles {
  return { [`data/${name}.bin`]: randomBytes(Math.round(megabytes * 1024 * 1024)) };
}

export function busyboxLayer(): LayerFiles {
  return {
    'bin/busybox': { copyFrom: '/bin/busybox' },
    'bin/sh': { symlink: 'busybox' },
    'bin/echo': { symlink: 'busybox' },
  };
}

export async function buildImage(
  engine: Engine,
  layers: LayerFiles[],
  options: { docker?: boolean; gzip?: boolean; architecture?: string; variant?: string; label?: string } = {},
): Promise<BuiltImage> {
  const gzip = options.gzip ?? true;
  const store = layerStoreOf(engine);
  const diffIds: Digest[] = [];
  const descriptors: Array<{ mediaType: string; digest: Digest; size: number }> = [];
  for (const files of layers) {
    const tar = await tarOf(files);
    const blob = gzip ? gzipSync(tar) : tar;
    const diffId = sha256(tar);
    const { digest } = await engine.content.put(blob);
    await store.unpack(Readable.from([tar]), diffIds.length ? chainIds(diffIds).at(-1) : undefined, diffId);
    diffIds.push(diffId);
    const mediaType = options.docker
      ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
      : gzip
        ? 'application/vnd.oci.image.layer.v1.tar+gzip'
        : 'application/vnd.oci.image.layer.v1.tar';
    descriptors.push({ mediaType, digest, size: blob.length });
  }
  const config = {
    created: '2024-01-01T00:00:00Z',
    architecture: options.architecture ?? 'amd64',
    ...(options.variant ? { variant: options.variant } : {}),
    os: 'linux',
    config: { Cmd: ['/bin/sh'], Labels: { 'berth.test': options.label ?? 'yes' } },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'test' })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const { digest: configDigest } = await engine.content.put(configBytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: options.docker
      ? 'application/vnd.docker.distribution.manifest.v2+json'
      : 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: options.docker
        ? 'application/vnd.docker.container.image.v1+json'
        : 'application/vnd.oci.image.config.v1+json',
      digest: configDigest,
      size: configBytes.length,
    },
    layers: descriptors,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  const { digest: manifestDigest } = await engine.content.put(manifestBytes);
  return {
    manifestDigest,
    configDigest,
    layerDigests: descriptors.map((d) => d.digest),
    diffIds,
    manifestBytes,
  };
}

/** An OCI index over already-built images, stored in content; returns its digest. */
export async function buildIndex(
  engine: Engine,
  entries: Array<{ image: BuiltImage; architecture: string; variant?: string }>,
): Promise<Digest> {
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: entries.map(({ image, architecture, variant }) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: image.manifestDigest,
      size: image.manifestBytes.length,
      platform: { architecture, os: 'linux', ...(variant ? { variant } : {}) },
    })),
  };
  return (await engine.content.put(JSON.stringify(index))).digest;
}
