/**
 * `system df`: disk used by images (layers counted once however many images share them), by
 * containers' writable layers, by volumes and by the build cache, with what could be reclaimed.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest, StoreLayout } from '../util/index.js';
import type { LayerStore } from './layer-store.js';
import { familiarTag, tagsOf } from './image-resolve.js';
import type { ImageIndexData } from './image-types.js';
import { readContainerUsage } from './image-usage.js';

export interface DfImage {
  id: Digest;
  repoTags: string[];
  created: string;
  size: number;
  /** Bytes in layers other images use too. */
  sharedSize: number;
  uniqueSize: number;
  containers: number;
}

export interface DfContainer {
  id: string;
  name: string;
  image: string;
  command: string;
  created: string;
  status: string;
  /** Bytes in the container's writable layer. */
  size: number;
  volumes: number;
}

export interface DfVolume {
  name: string;
  /** Containers that mount it. */
  links: number;
  size: number;
}

export interface SystemDf {
  images: DfImage[];
  /** All image layers, each counted once. */
  imagesSize: number;
  /** Layers no container's image uses. */
  imagesReclaimable: number;
  containers: DfContainer[];
  volumes: DfVolume[];
  buildCache: { count: number; size: number };
}

/** Apparent size of a tree, staying on its file system (a running container's rootfs is a mount). */
export async function directorySize(path: string): Promise<number> {
  const root = await lstat(path).catch(() => undefined);
  if (!root) return 0;
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const full = join(dir, name);
      const info = await lstat(full).catch(() => undefined);
      if (!info || info.dev !== root.dev) continue;
      if (info.isDirectory()) await walk(full);
      else total += info.size;
    }
  };
  if (root.isDirectory()) await walk(path);
  else total = root.size;
  return total;
}

/** What other domains report for `system df`: their own sizes, measured their own way. */
export interface UsageExtras {
  volumes: DfVolume[];
  buildCache: { count: number; size: number };
}

export async function systemDf(
  deps: {
    layout: StoreLayout;
    layers: LayerStore;
    usageExtras?: (imageChains: ReadonlySet<string>) => Promise<UsageExtras>;
  },
  data: ImageIndexData,
): Promise<SystemDf> {
  const containers = await readContainerUsage(deps.layout.containers);
  const layerSize = new Map<string, number>();
  const users = new Map<string, number>();
  for (const image of Object.values(data.images)) {
    for (const chain of image.chainIds) {
      users.set(chain, (users.get(chain) ?? 0) + 1);
      if (!layerSize.has(chain)) layerSize.set(chain, await deps.layers.size(chain).catch(() => 0));
    }
  }
  const activeLayers = new Set<string>();
  for (const container of containers) for (const chain of container.chainIds) activeLayers.add(chain);
  const images = Object.values(data.images).map((image): DfImage => {
    const shared = image.chainIds
      .filter((chain) => (users.get(chain) ?? 0) > 1)
      .reduce((sum, chain) => sum + (layerSize.get(chain) ?? 0), 0);
    const size = image.chainIds.reduce((sum, chain) => sum + (layerSize.get(chain) ?? 0), 0);
    return {
      id: image.id,
      repoTags: tagsOf(data, image.id).map(familiarTag),
      created: image.created || image.added,
      size,
      sharedSize: shared,
      uniqueSize: size - shared,
      containers: containers.filter((container) => container.imageId === image.id).length,
    };
  });
  let imagesSize = 0;
  let imagesReclaimable = 0;
  for (const [chain, size] of layerSize) {
    imagesSize += size;
    if (!activeLayers.has(chain)) imagesReclaimable += size;
  }
  const dfContainers: DfContainer[] = [];
  for (const container of containers) {
    dfContainers.push({
      id: container.id,
      name: container.name,
      image: container.imageRef || container.imageId,
      command: container.command,
      created: container.created,
      status: container.status,
      size: await directorySize(join(container.dir, 'diff')),
      volumes: container.volumes.length,
    });
  }
  const imageChains = new Set(Object.values(data.images).flatMap((image) => image.chainIds));
  const extras = (await deps.usageExtras?.(imageChains)) ?? {
    volumes: [],
    buildCache: { count: 0, size: 0 },
  };
  return {
    images: images.sort((a, b) => Date.parse(b.created) - Date.parse(a.created)),
    imagesSize,
    imagesReclaimable,
    containers: dfContainers,
    volumes: extras.volumes,
    buildCache: extras.buildCache,
  };
}
