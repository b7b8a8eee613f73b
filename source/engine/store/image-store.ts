/**
 * The image store: images named by their config digest, their manifests, configs and layer blobs
 * in the content store, their layers unpacked in the layer store, and tags in the image index.
 * Everything that adds an image ends in `commitImage`, the one step that makes it visible.
 */
import type { Readable, Writable } from 'node:stream';
import { StoreCorruptError } from '../errors/index.js';
import type { EventLog } from '../events/index.js';
import {
  familiarString,
  parseNormalizedReference,
  referenceString,
  withDefaultTag,
} from '../reference/index.js';
import {
  MediaType,
  parseImageConfig,
  parseManifest,
  type ContainerConfig,
  type ImageConfig,
  type ImageManifest,
} from '../oci/index.js';
import { type Digest, isDigest, shortId, type StoreLayout } from '../util/index.js';
import type { ContentStore } from './content-store.js';
import { chainIds, type LayerStore } from './layer-store.js';
import { ImageIndexFile } from './image-index.js';
import { buildHistory, buildInspect } from './image-inspect.js';
import { configBytes, manifestFor, storeLayerTar, type StoredLayer } from './image-layers.js';
import { type Lease, withLease } from './image-lease.js';
import { listImages, type ListOptions } from './image-list.js';
import { findImage, normalizeTag, tagsOf } from './image-resolve.js';
import { pruneImages, removeImage, type RemoveOptions } from './image-remove.js';
import { recoverStore, runGc } from './image-recovery.js';
import { importRootfs, type ImportOptions } from './image-import.js';
import { loadImages } from './image-load.js';
import { saveImages } from './image-save.js';
import { systemDf, type SystemDf, type UsageExtras } from './system-df.js';
import type { GcRoots } from './store-gc.js';
import type {
  ImageHistoryEntry,
  ImageIndexData,
  ImageInspect,
  ImageRecord,
  ImageSummary,
  ArchiveFormat,
  LoadResult,
  PruneResult,
  RemoveLine,
  ResolvedImage,
} from './image-types.js';

export interface ImageStoreDeps {
  layout: StoreLayout;
  content: ContentStore;
  layers: LayerStore;
  events: EventLog;
  /**
   * Blobs and layers other domains hold on to (the build cache), which garbage collection must
   * keep. A hook rather than an import: the store sits below the builder.
   */
  extraRoots?: () => Promise<GcRoots>;
  /** Volumes and build cache for `system df`, reported by their own domains. */
  usageExtras?: (imageChains: ReadonlySet<string>) => Promise<UsageExtras>;
}

export interface CommitImageOptions {
  manifestDigest: Digest;
  /** References to point at the image (`busybox`, `docker.io/library/busybox:1`). */
  tags?: string[];
  /** `repository@sha256:…` names it has in a registry (pull). */
  repoDigests?: string[];
  /** The image it was built or committed from. */
  parent?: Digest;
}

export interface CreateImageOptions {
  /** Image (name or id) whose layers come first; omit for an image from scratch. */
  base?: string;
  /** The new config without rootfs (berth fills in the diff ids of base and new layers). */
  config: Omit<ImageConfig, 'rootfs'>;
  /** New layers, base first, as tars (any compression). */
  layerTars: Readable[];
  tags?: string[];
}

export class ImageStore {
  readonly index: ImageIndexFile;

  constructor(readonly deps: ImageStoreDeps) {
    this.index = new ImageIndexFile(deps.layout);
  }

  /** Runs a store-writing operation under a lease (see image-lease.ts) after cleaning up crashes. */
  async withLease<T>(action: (lease: Lease) => Promise<T>): Promise<T> {
    await this.recover();
    return withLease(this.deps.layout.tmp, action);
  }

  /** Cheap check for leftovers of a killed berth; cleans them (and collects garbage) when found. */
  recover(): Promise<boolean> {
    return recoverStore(this.deps, this.index);
  }

  read(): Promise<ImageIndexData> {
    return this.index.read();
  }

  async list(options: ListOptions = {}): Promise<ImageSummary[]> {
    await this.recover();
    return listImages(this.deps, await this.index.read(), options);
  }

  async resolve(nameOrId: string): Promise<ResolvedImage> {
    const match = findImage(await this.index.read(), nameOrId);
    const imageConfig = await this.config(match.record.id);
    return {
      id: match.record.id,
      ref: match.reference ? familiarString(withDefaultTag(match.reference)) : nameOrId,
      config: imageConfig.config ?? {},
      chainIds: match.record.chainIds,
      record: match.record,
      imageConfig,
    };
  }

  async config(id: Digest): Promise<ImageConfig> {
    return parseImageConfig(await this.deps.content.read(id));
  }

  async manifest(digest: Digest): Promise<ImageManifest> {
    return parseManifest(await this.deps.content.read(digest));
  }

  async inspect(nameOrId: string): Promise<ImageInspect> {
    const data = await this.index.read();
    const { record } = findImage(data, nameOrId);
    return buildInspect(this.deps, data, record, await this.config(record.id));
  }

  async history(nameOrId: string): Promise<ImageHistoryEntry[]> {
    const data = await this.index.read();
    const { record } = findImage(data, nameOrId);
    return buildHistory(this.deps, record, await this.config(record.id));
  }

  async tag(source: string, target: string): Promise<void> {
    const tag = normalizeTag(target);
    const id = await this.index.update((data) => {
      const { record } = findImage(data, source);
      data.tags[tag.full] = record.manifest;
      record.lastTagTime = new Date().toISOString();
      return record.id;
    });
    await this.deps.events.append({ kind: 'image', action: 'tag', id, attributes: { name: tag.familiar } });
  }

  /**
   * Registers an image whose manifest, config and layer blobs are in the content store and whose
   * layers are unpacked, and points `tags` at it: the single step that makes an image visible.
   */
  async commitImage(options: CommitImageOptions): Promise<ImageRecord> {
    const { content, layers } = this.deps;
    const manifestBytes = await content.read(options.manifestDigest);
    const manifest = parseManifest(manifestBytes);
    const id = manifest.config.digest;
    if (!isDigest(id)) throw new StoreCorruptError(`image config digest ${id} is not a sha256 digest`);
    const config = parseImageConfig(await content.read(id));
    const diffIds = config.rootfs.diff_ids.filter(isDigest);
    if (diffIds.length !== config.rootfs.diff_ids.length || diffIds.length !== manifest.layers.length) {
      throw new StoreCorruptError(`image ${shortId(id)}: config and manifest disagree on its layers`);
    }
    const chains = chainIds(diffIds);
    let size = 0;
    for (const chain of chains) size += await layers.size(chain);
    const tags = (options.tags ?? []).map(normalizeTag);
    const repoDigests = (options.repoDigests ?? []).map((name) =>
      referenceString(parseNormalizedReference(name)),
    );
    const now = new Date().toISOString();
    const record = await this.index.update(async (data) => {
      // Under the lock, so a collection cannot have removed what the image needs.
      for (const blob of [options.manifestDigest, id, ...manifest.layers.map((layer) => layer.digest)]) {
        if (!isDigest(blob) || !(await content.has(blob))) {
          throw new StoreCorruptError(`image ${shortId(id)}: blob ${blob} is missing from the store`);
        }
      }
      for (const chain of chains) {
        if (!(await layers.has(chain)))
          throw new StoreCorruptError(`image ${shortId(id)}: layer ${chain} is missing`);
      }
      const existing = data.images[id];
      const image: ImageRecord = existing ?? {
        id,
        manifest: options.manifestDigest,
        repoDigests: [],
        created: config.created ?? '',
        added: now,
        size,
        diffIds,
        chainIds: chains,
        architecture: config.architecture,
        os: config.os,
      };
      if (options.parent && !image.parent && data.images[options.parent]) image.parent = options.parent;
      image.repoDigests = [...new Set([...image.repoDigests, ...repoDigests])].sort();
      if (tags.length > 0) image.lastTagTime = now;
      data.images[id] = image;
      data.manifests[options.manifestDigest] = {
        imageId: id,
        mediaType: manifest.mediaType ?? MediaType.ociManifest,
        size: manifestBytes.length,
      };
      for (const tag of tags) data.tags[tag.full] = options.manifestDigest;
      return image;
    });
    for (const tag of tags) {
      await this.deps.events.append({ kind: 'image', action: 'tag', id, attributes: { name: tag.familiar } });
    }
    return record;
  }

  /** A new image from a base image's layers plus new layer tars (import, commit, build). */
  async createFromLayers(options: CreateImageOptions): Promise<ImageRecord> {
    const base = options.base ? await this.resolve(options.base) : undefined;
    const baseManifest = base ? await this.manifest(base.record.manifest) : undefined;
    return this.collectOnFailure(() =>
      this.withLease(async () => {
        const stored: StoredLayer[] = [];
        let parentChain = base?.chainIds.at(-1);
        for (const tar of options.layerTars) {
          const layer = await storeLayerTar(this.deps.content, this.deps.layers, tar, parentChain);
          stored.push(layer);
          parentChain = layer.chainId;
        }
        const config: ImageConfig = {
          ...options.config,
          rootfs: {
            type: 'layers',
            diff_ids: [...(base?.record.diffIds ?? []), ...stored.map((layer) => layer.diffId)],
          },
        };
        const configBlob = await this.deps.content.put(configBytes(config));
        const manifest = manifestFor({ mediaType: MediaType.ociConfig, ...configBlob }, [
          ...(baseManifest?.layers ?? []),
          ...stored.map((layer) => layer.descriptor),
        ]);
        const manifestBlob = await this.deps.content.put(JSON.stringify(manifest));
        return this.commitImage({
          manifestDigest: manifestBlob.digest,
          tags: options.tags,
          parent: base?.id,
        });
      }),
    );
  }

  /** `rmi`: untags or deletes, as docker does; returns docker's Untagged/Deleted lines. */
  async remove(nameOrId: string, options: RemoveOptions = {}): Promise<RemoveLine[]> {
    await this.recover();
    const lines = await removeImage(this.deps, this.index, nameOrId, options);
    if (lines.some((line) => 'deleted' in line)) {
      const gc = await runGc(this.deps, this.index);
      for (const layer of gc.layers) lines.push({ deleted: layer });
    }
    return lines;
  }

  /** `image prune`: dangling images, or with `all` every image no container uses. */
  async prune(options: { all?: boolean } = {}): Promise<PruneResult> {
    await this.recover();
    const lines = await pruneImages(this.deps, this.index, options);
    const gc = await runGc(this.deps, this.index);
    return { lines, reclaimed: gc.reclaimed };
  }

  /** Full tags of an image, for the faces. */
  async tagsOf(id: Digest): Promise<string[]> {
    return tagsOf(await this.index.read(), id);
  }

  /** The runtime config of an image (docker's Config), for containers. */
  async runConfig(nameOrId: string): Promise<ContainerConfig> {
    return (await this.resolve(nameOrId)).config;
  }

  /** `import`: a rootfs tar (`-` on the face) → a one-layer image. */
  importRootfs(tar: Readable, options: ImportOptions = {}): Promise<ImageRecord> {
    return importRootfs(this, tar, options);
  }

  /** `save`: images as a docker-archive or OCI archive tar, written to `out`. */
  save(refs: string[], out: Writable, options: { format?: ArchiveFormat } = {}): Promise<void> {
    return saveImages(this, refs, out, options);
  }

  /** `load`: a docker-archive or OCI archive (optionally compressed) → images. */
  load(tar: Readable): Promise<LoadResult> {
    return this.collectOnFailure(() => loadImages(this, tar));
  }

  /** A failed write leaves verified but unnamed blobs and layers: collect them right away. */
  private async collectOnFailure<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      await runGc(this.deps, this.index).catch(() => undefined);
      throw error;
    }
  }

  async systemDf(): Promise<SystemDf> {
    await this.recover();
    return systemDf(this.deps, await this.index.read());
  }
}
