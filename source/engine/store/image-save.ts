/**
 * `save`: images to a tar, streamed. `oci` writes an OCI image layout with the blobs exactly as
 * stored (so manifest digests survive). `docker` writes what docker 25+ writes: the same layout
 * with uncompressed layers named by diff id, plus manifest.json and repositories, which `docker
 * load` (any version) and skopeo's docker-archive transport read.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressStream, HashingStream, TarWriter } from '../archive/index.js';
import { InvalidArgumentError } from '../errors/index.js';
import {
  familiarName,
  familiarString,
  parseNormalizedReference,
  repositoryName,
  type ImageReference,
} from '../reference/index.js';
import {
  layerCompression,
  MediaType,
  parseManifest,
  type Descriptor,
  type ImageManifest,
} from '../oci/index.js';
import { DigestMismatchError } from './content-store.js';
import { type Digest, digestHex, sha256 } from '../util/index.js';
import { CONTAINERD_NAME_ANNOTATION, REF_NAME_ANNOTATION } from './image-index.js';
import { manifestFor } from './image-layers.js';
import { findImage } from './image-resolve.js';
import type { ImageStore } from './image-store.js';
import type { ArchiveFormat, ImageIndexData, ImageRecord } from './image-types.js';

interface Selected {
  record: ImageRecord;
  /** Full references to name it by in the archive. */
  tags: Set<string>;
}

/** docker's selection: `name` alone means every tag of that repository; else one image. */
export function selectImages(data: ImageIndexData, refs: string[]): Selected[] {
  if (refs.length === 0) throw new InvalidArgumentError('save needs at least one image');
  const selected = new Map<string, Selected>();
  const add = (record: ImageRecord, tag?: string): void => {
    const entry = selected.get(record.id) ?? { record, tags: new Set<string>() };
    if (tag) entry.tags.add(tag);
    selected.set(record.id, entry);
  };
  for (const input of refs) {
    let reference: ImageReference | undefined;
    try {
      reference = parseNormalizedReference(input);
    } catch {
      reference = undefined;
    }
    if (reference && reference.tag === undefined && reference.digest === undefined) {
      const prefix = `${repositoryName(reference)}:`;
      const tags = Object.keys(data.tags).filter((tag) => tag.startsWith(prefix));
      for (const tag of tags) {
        const record = data.images[data.manifests[data.tags[tag] ?? '']?.imageId ?? ''];
        if (record) add(record, tag);
      }
      if (tags.length > 0) continue;
    }
    const match = findImage(data, input);
    const named = match.reference?.digest === undefined ? match.reference : undefined;
    add(match.record, named ? `${repositoryName(named)}:${named.tag ?? 'latest'}` : undefined);
  }
  return [...selected.values()];
}

function fileHeader(name: string, size: number) {
  return { name, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size, mtime: new Date(0) };
}

class ArchiveBuilder {
  readonly tar = new TarWriter();
  private readonly written = new Set<string>();
  /** Sizes of the uncompressed layers written so far, by diff id. */
  private readonly sizes = new Map<string, number>();

  constructor(private readonly store: ImageStore) {}

  async start(): Promise<void> {
    await this.tar.add({
      name: 'blobs',
      type: 'dir',
      mode: 0o755,
      uid: 0,
      gid: 0,
      size: 0,
      mtime: new Date(0),
    });
    await this.tar.add({
      name: 'blobs/sha256',
      type: 'dir',
      mode: 0o755,
      uid: 0,
      gid: 0,
      size: 0,
      mtime: new Date(0),
    });
  }

  async bytes(digest: Digest, data: Buffer): Promise<void> {
    if (this.written.has(digest)) return;
    this.written.add(digest);
    await this.tar.add(fileHeader(`blobs/sha256/${digestHex(digest)}`, data.length), data);
  }

  async storedBlob(digest: Digest): Promise<void> {
    if (this.written.has(digest)) return;
    this.written.add(digest);
    const { content } = this.store.deps;
    const size = await content.size(digest);
    await this.tar.add(
      fileHeader(`blobs/sha256/${digestHex(digest)}`, size),
      content.createReadStream(digest),
    );
  }

  /** An uncompressed layer named by its diff id; compressed blobs are unpacked to scratch first. */
  async layerTar(layer: Descriptor, diffId: Digest, scratch: string): Promise<number> {
    const known = this.sizes.get(diffId);
    if (known !== undefined) return known;
    const compression = layerCompression(layer.mediaType) ?? 'none';
    if (compression === 'none' && layer.digest === diffId) {
      await this.storedBlob(diffId);
      const size = await this.store.deps.content.size(diffId);
      this.sizes.set(diffId, size);
      return size;
    }
    const temp = join(scratch, digestHex(diffId));
    const { stream } = await decompressStream(
      this.store.deps.content.createReadStream(layer.digest as Digest),
    );
    const hasher = new HashingStream();
    await pipeline(stream, hasher, createWriteStream(temp));
    if (hasher.digest() !== diffId) throw new DigestMismatchError(diffId, hasher.digest(), 'layer');
    this.written.add(diffId);
    const { size } = await stat(temp);
    this.sizes.set(diffId, size);
    await this.tar.add(fileHeader(`blobs/sha256/${digestHex(diffId)}`, size), createReadStream(temp));
    return size;
  }

  async json(name: string, value: unknown): Promise<void> {
    const data = Buffer.from(JSON.stringify(value));
    await this.tar.add(fileHeader(name, data.length), data);
  }
}

/** The stored manifest when its layers are already plain tars named by diff id, else undefined. */
function isPlain(stored: ImageManifest, diffIds: Digest[]): boolean {
  return stored.layers.every(
    (layer, i) => layer.digest === diffIds[i] && layerCompression(layer.mediaType) === 'none',
  );
}

export async function saveImages(
  store: ImageStore,
  refs: string[],
  out: Writable,
  options: { format?: ArchiveFormat } = {},
): Promise<void> {
  const format = options.format ?? 'docker';
  const images = selectImages(await store.read(), refs);
  await store.withLease(async (lease) => {
    const builder = new ArchiveBuilder(store);
    const sending = pipeline(builder.tar.stream, out);
    sending.catch(() => undefined);
    const { content } = store.deps;
    const index: Descriptor[] = [];
    const dockerEntries: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    try {
      await builder.tar.add(
        { ...fileHeader('oci-layout', 0), size: 30 },
        Buffer.from('{"imageLayoutVersion":"1.0.0"}'),
      );
      await builder.start();
      for (const { record, tags } of images) {
        const storedBytes = await content.read(record.manifest);
        const stored = parseManifest(storedBytes);
        await builder.storedBlob(record.id);
        let manifestBytes = storedBytes;
        if (format === 'oci') {
          for (const layer of stored.layers) await builder.storedBlob(layer.digest as Digest);
        } else {
          const plainLayers: Descriptor[] = [];
          for (const [i, layer] of stored.layers.entries()) {
            const diffId = record.diffIds[i];
            if (!diffId) continue;
            const size = await builder.layerTar(layer, diffId, lease.dir);
            plainLayers.push({ mediaType: MediaType.ociLayerTar, digest: diffId, size });
          }
          // docker's form needs a manifest whose layers are the plain tars it carries.
          if (!isPlain(stored, record.diffIds)) {
            manifestBytes = Buffer.from(JSON.stringify(manifestFor(stored.config, plainLayers)));
          }
        }
        const manifestDigest = sha256(manifestBytes);
        await builder.bytes(manifestDigest, manifestBytes);
        const descriptor: Descriptor = {
          mediaType: stored.mediaType ?? MediaType.ociManifest,
          digest: manifestDigest,
          size: manifestBytes.length,
        };
        const names = [...tags].sort();
        if (names.length === 0) index.push(descriptor);
        for (const full of names) {
          const reference = parseNormalizedReference(full);
          const annotations = {
            [CONTAINERD_NAME_ANNOTATION]: full,
            [REF_NAME_ANNOTATION]: format === 'oci' ? full : (reference.tag ?? 'latest'),
          };
          index.push({ ...descriptor, annotations });
          if (format === 'docker') {
            const top = record.diffIds.at(-1);
            repositories[familiarName(reference)] = {
              ...repositories[familiarName(reference)],
              [reference.tag ?? 'latest']: top ? digestHex(top) : '',
            };
          }
        }
        if (format === 'docker') {
          dockerEntries.push({
            Config: `blobs/sha256/${digestHex(record.id)}`,
            RepoTags: names.map((full) => familiarString(parseNormalizedReference(full))),
            Layers: record.diffIds.map((diffId) => `blobs/sha256/${digestHex(diffId)}`),
          });
        }
      }
      await builder.json('index.json', { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: index });
      if (format === 'docker') {
        await builder.json('manifest.json', dockerEntries);
        if (Object.keys(repositories).length > 0) await builder.json('repositories', repositories);
      }
      await builder.tar.finish();
    } catch (error) {
      builder.tar.stream.destroy(error instanceof Error ? error : new Error(String(error)));
      await sending.catch(() => undefined);
      throw error;
    }
    await sending;
  });
}
