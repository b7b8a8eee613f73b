/**
 * The image index file, <root>/images/images.json: every image record, every tag and every
 * manifest, changed only under locks/images.lock and replaced whole (temp file + rename), so a
 * reader sees the index before a change or after it and an image is either fully named or absent.
 * The OCI layout's content/index.json is rewritten from it in the same critical section, so skopeo
 * and umoci can read `oci:<root>/content:<reference>`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreCorruptError } from '../errors/index.js';
import { MediaType, type Descriptor, type ImageIndex } from '../oci/index.js';
import { type StoreLayout, withLock, writeJsonAtomic } from '../util/index.js';
import type { ImageIndexData } from './image-types.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';

/** Long builds and loads commit quickly, but a busy machine may hold the lock for a while. */
const INDEX_LOCK_TIMEOUT_MS = 120_000;

function emptyIndex(): ImageIndexData {
  return { version: 1, images: {}, tags: {}, manifests: {} };
}

export class ImageIndexFile {
  readonly path: string;
  readonly lockPath: string;
  private readonly ociIndexPath: string;

  constructor(layout: StoreLayout) {
    this.path = join(layout.images, 'images.json');
    this.lockPath = join(layout.locks, 'images.lock');
    this.ociIndexPath = join(layout.content, 'index.json');
  }

  async read(): Promise<ImageIndexData> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex();
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new StoreCorruptError(`image index ${this.path} is not valid JSON`);
    }
    if (!isIndexData(data)) throw new StoreCorruptError(`image index ${this.path} has an unknown format`);
    return data;
  }

  /** Runs `change` on the current index under the lock and writes the result if it changed. */
  async update<T>(change: (data: ImageIndexData) => T | Promise<T>): Promise<T> {
    return this.locked(async () => {
      const data = await this.read();
      const before = JSON.stringify(data);
      const result = await change(data);
      if (JSON.stringify(data) !== before) await this.write(data);
      return result;
    });
  }

  /** The index lock alone, for work (garbage collection) that must not race a commit. */
  locked<T>(action: () => Promise<T>): Promise<T> {
    return withLock(this.lockPath, action, INDEX_LOCK_TIMEOUT_MS);
  }

  private async write(data: ImageIndexData): Promise<void> {
    await writeJsonAtomic(this.path, data);
    await writeJsonAtomic(this.ociIndexPath, ociIndexFor(data));
  }
}

/**
 * content/index.json: one entry per tag (named with the full reference), plus one unnamed entry
 * per untagged image, so every image in the layout is reachable from its index.
 */
export function ociIndexFor(data: ImageIndexData): ImageIndex {
  const manifests: Descriptor[] = [];
  const named = new Set<string>();
  for (const [reference, digest] of Object.entries(data.tags).sort(([a], [b]) => a.localeCompare(b))) {
    const manifest = data.manifests[digest];
    if (!manifest) continue;
    named.add(manifest.imageId);
    manifests.push({
      mediaType: manifest.mediaType,
      digest,
      size: manifest.size,
      annotations: { [REF_NAME_ANNOTATION]: reference, [CONTAINERD_NAME_ANNOTATION]: reference },
    });
  }
  for (const image of Object.values(data.images)) {
    if (named.has(image.id)) continue;
    const manifest = data.manifests[image.manifest];
    if (manifest)
      manifests.push({ mediaType: manifest.mediaType, digest: image.manifest, size: manifest.size });
  }
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
}

function isIndexData(value: unknown): value is ImageIndexData {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return (
    record['version'] === 1 &&
    typeof record['images'] === 'object' &&
    typeof record['tags'] === 'object' &&
    typeof record['manifests'] === 'object'
  );
}
