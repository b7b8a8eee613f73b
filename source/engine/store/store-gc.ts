/**
 * Garbage collection: deletes blobs no manifest of an image reaches and unpacked layers neither an
 * image nor a container uses. Runs under the image index lock (so no image is committed while it
 * decides) and spares anything written since the oldest live lease began (so an import or load
 * still writing its blobs keeps them).
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseManifest } from '../oci/index.js';
import { type Digest, isDigest } from '../util/index.js';
import type { ContentStore } from './content-store.js';
import type { LayerStore } from './layer-store.js';
import type { ImageIndexData } from './image-types.js';
import type { ContainerUsage } from './image-usage.js';

export interface GcResult {
  blobs: Digest[];
  /** Chain ids of the layers removed. */
  layers: Digest[];
  /** Bytes freed: blob sizes plus layer content sizes. */
  reclaimed: number;
}

export interface GcInput {
  content: ContentStore;
  layers: LayerStore;
  data: ImageIndexData;
  containers: ContainerUsage[];
  /** Items modified at or after this time (ms) are kept: a live operation may own them. */
  spareSince?: number;
  /** Held by other domains (the build cache): never collected. */
  extraRoots?: GcRoots;
}

export interface GcRoots {
  blobs: ReadonlySet<string>;
  layers: ReadonlySet<string>;
}

/** Every blob an image in the index reaches: its manifests, configs and layer blobs. */
export async function reachableBlobs(content: ContentStore, data: ImageIndexData): Promise<Set<string>> {
  const reachable = new Set<string>();
  for (const digest of Object.keys(data.manifests)) {
    reachable.add(digest);
    if (!isDigest(digest)) continue;
    try {
      const manifest = parseManifest(await content.read(digest));
      reachable.add(manifest.config.digest);
      for (const layer of manifest.layers) reachable.add(layer.digest);
    } catch {
      // A missing or broken manifest reaches nothing; its image is reported broken elsewhere.
    }
  }
  return reachable;
}

export function reachableLayers(data: ImageIndexData, containers: ContainerUsage[]): Set<string> {
  const reachable = new Set<string>();
  for (const image of Object.values(data.images)) for (const chain of image.chainIds) reachable.add(chain);
  for (const container of containers) for (const chain of container.chainIds) reachable.add(chain);
  return reachable;
}

async function modifiedSince(path: string, since: number | undefined): Promise<boolean> {
  if (since === undefined) return false;
  try {
    // A second of slack: file systems round mtimes, and clocks are read in two processes.
    return (await stat(path)).mtimeMs >= since - 1000;
  } catch {
    return false;
  }
}

export async function collectGarbage(input: GcInput): Promise<GcResult> {
  const { content, layers, data, containers, spareSince, extraRoots } = input;
  const result: GcResult = { blobs: [], layers: [], reclaimed: 0 };
  const keepBlobs = await reachableBlobs(content, data);
  for (const digest of extraRoots?.blobs ?? []) keepBlobs.add(digest);
  for (const digest of await content.list()) {
    if (keepBlobs.has(digest)) continue;
    const path = content.path(digest);
    if (await modifiedSince(path, spareSince)) continue;
    const size = await content.size(digest).catch(() => 0);
    await content.delete(digest);
    result.blobs.push(digest);
    result.reclaimed += size;
  }
  const keepLayers = reachableLayers(data, containers);
  for (const chain of extraRoots?.layers ?? []) keepLayers.add(chain);
  // Each layer directory holds only its own diff, so they can go in any order.
  const candidates = (await layers.list()).filter((layer) => !keepLayers.has(layer.chainId));
  for (const layer of candidates) {
    if (await modifiedSince(dirname(layers.diffPath(layer.chainId)), spareSince)) continue;
    await layers.delete(layer.chainId);
    result.layers.push(layer.chainId);
    result.reclaimed += layer.size;
  }
  return result;
}
