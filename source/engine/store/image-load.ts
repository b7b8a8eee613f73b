/**
 * `load`: a docker-archive (manifest.json; legacy `<id>/layer.tar` or docker 25+ blobs/) or an OCI
 * archive (index.json), plain or compressed, read in one pass. Every file becomes a verified blob
 * as it streams by (entries may come in any order), then layers are unpacked against the diff ids
 * the config promises and each image is committed whole. Until that commit nothing names the
 * image; a crash leaves only unnamed blobs and layers, which recovery collects.
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressStream, readTar } from '../archive/index.js';
import { MediaType, parseImageConfig, type Descriptor } from '../oci/index.js';
import { type Digest, isDigest, shortId } from '../util/index.js';
import { touchLayer, manifestFor } from './image-layers.js';
import { familiarTag } from './image-resolve.js';
import type { ImageStore } from './image-store.js';
import type { LoadResult } from './image-types.js';
import {
  dockerPlans,
  InvalidArchiveError,
  ociPlans,
  type ArchiveFiles,
  type ImagePlan,
} from './image-load-plan.js';

export { InvalidArchiveError } from './image-load-plan.js';

/** Archive metadata read into memory; everything else streams into the content store. */
const META_FILES = new Set(['manifest.json', 'index.json', 'repositories', 'oci-layout']);
const MAX_META_BYTES = 64 * 1024 * 1024;
/** Legacy docker-archive per-layer files berth does not need. */
const LEGACY_JUNK = /(^|\/)(VERSION|json)$/;

function entryName(name: string): string {
  const normalized = posix.normalize(name.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../'))
    throw new InvalidArchiveError(`entry ${name} leaves the archive`);
  return normalized === '.' ? '' : normalized;
}

async function readAll(body: Readable, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    length += buffer.length;
    if (length > limit) throw new InvalidArchiveError(`${name} is too large`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function readArchive(store: ImageStore, input: Readable): Promise<ArchiveFiles> {
  const { content } = store.deps;
  const files: ArchiveFiles = { meta: new Map(), blobs: new Map(), links: new Map() };
  const { stream } = await decompressStream(input);
  for await (const { header, body } of readTar(stream)) {
    const name = entryName(header.name);
    if (header.type === 'symlink' || header.type === 'hardlink') {
      const target =
        header.type === 'symlink'
          ? posix.join(posix.dirname(name), header.linkname ?? '')
          : (header.linkname ?? '');
      files.links.set(name, entryName(target));
      continue;
    }
    if (header.type !== 'file' || !name) continue;
    if (META_FILES.has(name)) {
      files.meta.set(name, await readAll(body, MAX_META_BYTES, name));
      continue;
    }
    if (LEGACY_JUNK.test(name) && !name.startsWith('blobs/')) continue;
    const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    const expected = named ? (`sha256:${named[1]}` as Digest) : undefined;
    const writer = content.writer();
    try {
      await pipeline(body, writer);
      const blob = await writer.commit(expected);
      files.blobs.set(name, blob.digest);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }
  return files;
}

const COMPRESSED_TYPES: Record<string, string> = {
  none: MediaType.ociLayerTar,
  gzip: MediaType.ociLayerGzip,
  zstd: MediaType.ociLayerZstd,
};

/** Unpacks a plan's layers (reusing those present) and returns its layer descriptors. */
async function unpackLayers(store: ImageStore, plan: ImagePlan, diffIds: Digest[]): Promise<Descriptor[]> {
  const { content, layers } = store.deps;
  const descriptors: Descriptor[] = [];
  let parent: Digest | undefined;
  for (const [i, blob] of plan.layers.entries()) {
    const diffId = diffIds[i];
    if (!diffId)
      throw new InvalidArchiveError(`image ${shortId(plan.configDigest)} lists more layers than its config`);
    const size = await content.size(blob.digest);
    const { stream, compression } = await decompressStream(content.createReadStream(blob.digest));
    const mediaType = blob.mediaType ?? COMPRESSED_TYPES[compression];
    if (!mediaType) {
      stream.destroy();
      throw new InvalidArchiveError(
        `layer ${blob.digest} uses ${compression} compression, which image layers may not`,
      );
    }
    const layer = await layers.unpack(stream, parent, diffId);
    await touchLayer(layers, layer.chainId);
    descriptors.push({ mediaType, digest: blob.digest, size });
    parent = layer.chainId;
  }
  return descriptors;
}

export async function loadImages(store: ImageStore, input: Readable): Promise<LoadResult> {
  return store.withLease(async () => {
    const files = await readArchive(store, input);
    const { content } = store.deps;
    const read = (digest: Digest): Promise<Buffer> => content.read(digest);
    let plans: ImagePlan[];
    if (files.meta.has('manifest.json')) plans = await dockerPlans(files, read);
    else if (files.meta.has('index.json')) plans = await ociPlans(files, read);
    else throw new InvalidArchiveError('it has neither manifest.json nor index.json');
    if (plans.length === 0) throw new InvalidArchiveError('it holds no images');
    const result: LoadResult = { images: [], lines: [] };
    for (const plan of plans) {
      const configBytes = await content.read(plan.configDigest);
      const config = parseImageConfig(configBytes);
      const diffIds = config.rootfs.diff_ids.filter(isDigest);
      if (diffIds.length !== plan.layers.length || diffIds.length !== config.rootfs.diff_ids.length) {
        throw new InvalidArchiveError(
          `image ${shortId(plan.configDigest)}: config and archive disagree on its layers`,
        );
      }
      const descriptors = await unpackLayers(store, plan, diffIds);
      let manifestDigest = plan.manifestDigest;
      if (!manifestDigest) {
        const configDescriptor = {
          mediaType: MediaType.ociConfig,
          digest: plan.configDigest,
          size: configBytes.length,
        };
        manifestDigest = (await content.put(JSON.stringify(manifestFor(configDescriptor, descriptors))))
          .digest;
      }
      const record = await store.commitImage({ manifestDigest, tags: plan.tags });
      const tags = [...new Set(plan.tags)];
      result.images.push({ id: record.id, tags });
      for (const tag of tags) result.lines.push(`Loaded image: ${familiarTag(tag)}`);
      if (tags.length === 0) result.lines.push(`Loaded image ID: ${record.id}`);
      await store.deps.events.append({
        kind: 'image',
        action: 'load',
        id: record.id,
        ...(tags[0] ? { attributes: { name: familiarTag(tags[0]) } } : {}),
      });
    }
    return result;
  });
}
