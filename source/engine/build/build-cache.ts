/**
 * The build cache: step key → the state that step produced (config and layers), one small JSON
 * file per entry under <root>/build-cache/. A key covers the parent step's key, the instruction
 * after expansion, the build args in scope and, for COPY/ADD, the checksum of the sources, so a
 * change invalidates that step and everything after it. Layers and blobs stay in the content and
 * layer stores; an entry whose layers were collected is a miss, never an error.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest, sha256, digestHex, writeJsonAtomic, type Digest, type StoreLayout } from '../util/index.js';
import { touchLayer } from '../store/image-layers.js';
import type { LayerDeps } from './build-rootfs.js';
import type { BuildLayer, BuildState } from './build-state.js';

interface CacheEntry {
  key: string;
  created: string;
  createdBy: string;
  state: { config: BuildState['config']; layers: BuildLayer[]; baseImage?: Digest };
}

export function buildCacheDir(layout: Pick<StoreLayout, 'root'>): string {
  return join(layout.root, 'build-cache');
}

/** Where the context file digests live (context-hashes.ts); not cache entries, but pruned with them. */
export function contextHashesDir(layout: Pick<StoreLayout, 'root'>): string {
  return join(buildCacheDir(layout), 'context-hashes');
}

/** The key of a step: a digest over its parent's key and everything that decides its result. */
export function stepKey(parentKey: string, parts: readonly string[]): string {
  return sha256(JSON.stringify([parentKey, ...parts]));
}

function entryPath(dir: string, key: string): string {
  return join(dir, `${digestHex(key as Digest)}.json`);
}

async function readEntries(dir: string): Promise<{ file: string; entry: CacheEntry }[]> {
  const result: { file: string; entry: CacheEntry }[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    try {
      result.push({ file, entry: JSON.parse(await readFile(file, 'utf8')) as CacheEntry });
    } catch {
      // a torn or foreign file is not a cache entry
    }
  }
  return result;
}

export class BuildCache {
  readonly dir: string;

  constructor(
    layout: Pick<StoreLayout, 'root'>,
    private readonly deps: LayerDeps,
  ) {
    this.dir = buildCacheDir(layout);
  }

  async get(key: string): Promise<BuildState | undefined> {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await readFile(entryPath(this.dir, key), 'utf8')) as CacheEntry;
    } catch {
      return undefined;
    }
    for (const layer of entry.state.layers) {
      if (!(await this.deps.layers.has(layer.chainId)) || !isDigest(layer.descriptor.digest) || !(await this.deps.content.has(layer.descriptor.digest))) {
        await rm(entryPath(this.dir, key), { force: true });
        return undefined;
      }
    }
    // Recently used: a collection running now must not take these layers.
    for (const layer of entry.state.layers) await touchLayer(this.deps.layers, layer.chainId);
    const state: BuildState = { config: entry.state.config, layers: entry.state.layers, cacheKey: key };
    if (entry.state.baseImage) state.baseImage = entry.state.baseImage;
    return state;
  }

  async put(key: string, state: BuildState, createdBy: string): Promise<void> {
    const entry: CacheEntry = {
      key,
      created: new Date().toISOString(),
      createdBy,
      state: { config: state.config, layers: state.layers, ...(state.baseImage ? { baseImage: state.baseImage } : {}) },
    };
    await writeJsonAtomic(entryPath(this.dir, key), entry);
  }
}

export interface BuildCacheUsage {
  entries: number;
  /** Content bytes of the distinct layers the entries hold. */
  size: number;
  /** Of those, bytes no image uses (what a prune would free). */
  reclaimable: number;
}

/** What the cache references, for the store's garbage collection to keep. */
export async function buildCacheReferences(layout: Pick<StoreLayout, 'root'>): Promise<{ blobs: Set<string>; layers: Set<string> }> {
  const blobs = new Set<string>();
  const layers = new Set<string>();
  for (const { entry } of await readEntries(buildCacheDir(layout))) {
    for (const layer of entry.state.layers) {
      blobs.add(layer.descriptor.digest);
      layers.add(layer.chainId);
    }
  }
  return { blobs, layers };
}

/** `system df`'s build-cache row. `inUse` holds chain ids images use (not reclaimable). */
export async function buildCacheUsage(layout: Pick<StoreLayout, 'root'>, inUse: ReadonlySet<string> = new Set()): Promise<BuildCacheUsage> {
  const entries = await readEntries(buildCacheDir(layout));
  const sizes = new Map<string, number>();
  for (const { entry } of entries) for (const layer of entry.state.layers) sizes.set(layer.chainId, layer.size);
  let size = 0;
  let reclaimable = 0;
  for (const [chain, bytes] of sizes) {
    size += bytes;
    if (!inUse.has(chain)) reclaimable += bytes;
  }
  return { entries: entries.length, size, reclaimable };
}

export interface PruneCacheOptions {
  /** Only entries last written before this time (`--filter until=`). */
  before?: Date;
}

/**
 * `builder prune`: removes cache entries (and the remembered context digests). The layers they
 * held become garbage, which the image store's collection then frees; returns the entries
 * removed.
 */
export async function pruneBuildCache(layout: Pick<StoreLayout, 'root'>, options: PruneCacheOptions = {}): Promise<{ removed: number }> {
  let removed = 0;
  for (const { file } of await readEntries(buildCacheDir(layout))) {
    if (options.before) {
      const info = await stat(file).catch(() => undefined);
      if (info && info.mtime >= options.before) continue;
    }
    await rm(file, { force: true });
    removed++;
  }
  const hashes = contextHashesDir(layout);
  for (const name of await readdir(hashes).catch(() => [] as string[])) {
    const file = join(hashes, name);
    const info = await stat(file).catch(() => undefined);
    if (info && options.before && info.mtime >= options.before) continue;
    await rm(file, { force: true });
  }
  return { removed };
}
