/**
 * The Prune pane's preview and run: stopped containers, dangling (or all unused) images, unused
 * volumes and the build cache, each with its size; then removal in an order that frees what the
 * earlier removals released, and the space actually reclaimed, measured on disk.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, buildCacheDir, type Engine } from '../../engine/index.js';
import type { ContainerRecord } from '../../engine/container/index.js';
import { rootfsDirs } from '../../engine/runtime/index.js';
import type { PruneItem, PruneKind, PruneOutcome, PrunePreview } from '../dashboard-engine.js';
import { volumeDetails } from './volume-adapter.js';

/** The one item that stands for the whole build cache (the engine prunes it as a whole). */
export const BUILD_CACHE_ID = 'build-cache';

/** Bytes on disk under `path`, not crossing into other filesystems (a mounted rootfs is not ours). */
export async function diskUsage(path: string, device?: number): Promise<number> {
  let info;
  try {
    info = await lstat(path);
  } catch {
    return 0;
  }
  if (device !== undefined && info.dev !== device) return 0;
  if (!info.isDirectory()) return info.blocks * 512;
  let total = info.blocks * 512;
  const entries = await readdir(path).catch(() => [] as string[]);
  for (const entry of entries) total += await diskUsage(join(path, entry), info.dev);
  return total;
}

const stopped = (record: ContainerRecord): boolean =>
  record.state.status === 'exited' || record.state.status === 'created' || record.state.status === 'dead';

async function containerItems(engine: Engine, records: ContainerRecord[]): Promise<PruneItem[]> {
  const items: PruneItem[] = [];
  for (const record of records.filter(stopped)) {
    const dir = join(engine.layout.containers, record.id);
    // The writable layer and the log are what removing the container frees.
    const size = (await diskUsage(rootfsDirs(dir).upper)) + (await diskUsage(record.logPath));
    items.push({ kind: 'container', id: record.id, label: record.name, size });
  }
  return items;
}

async function imageItems(engine: Engine, kept: Set<string>, allImages: boolean): Promise<PruneItem[]> {
  const items: PruneItem[] = [];
  for (const image of await engine.images.list()) {
    if (kept.has(image.id) || image.intermediate) continue;
    if (!image.dangling && !allImages) continue;
    const label = image.repoTags[0] ?? `<none> ${image.id.replace(/^sha256:/, '').slice(0, 12)}`;
    items.push({ kind: 'image', id: image.id, label, size: image.size });
  }
  return items;
}

/**
 * Volumes no container outside the pruned ones mounts. Anonymous ones are marked, as docker's
 * prune takes them; named ones are listed unmarked, since a name usually means the data matters.
 */
async function volumeItems(engine: Engine, pruned: Set<string>): Promise<PruneItem[]> {
  const items: PruneItem[] = [];
  for (const volume of await volumeDetails(engine)) {
    if (volume.userIds.some((id) => !pruned.has(id))) continue;
    items.push({
      kind: 'volume',
      id: volume.name,
      label: volume.anonymous ? volume.name : `${volume.name} (named)`,
      size: volume.size ?? 0,
      ...(volume.anonymous ? {} : { unmarkedAtFirst: true }),
    });
  }
  return items;
}

async function buildCacheItems(engine: Engine): Promise<PruneItem[]> {
  const usage = await engine.builder.cacheUsage();
  if (usage.entries === 0) return [];
  const entries = `${usage.entries} ${usage.entries === 1 ? 'entry' : 'entries'}`;
  // Only what no image uses comes back: layers an image shares stay after the prune.
  return [
    { kind: 'build-cache', id: BUILD_CACHE_ID, label: `build cache, ${entries}`, size: usage.reclaimable },
  ];
}

const kindNames: Record<PruneKind, string> = {
  container: 'stopped containers',
  image: 'images',
  volume: 'volumes',
  'build-cache': 'the build cache',
};

export async function prunePreview(engine: Engine, options: { allImages: boolean }): Promise<PrunePreview> {
  const records = await engine.containers.list();
  const containers = await containerItems(engine, records);
  const pruned = new Set(containers.map((item) => item.id));
  // An image stays in use while any container that is not being pruned was made from it.
  const kept = new Set(records.filter((record) => !pruned.has(record.id)).map((record) => record.imageId));
  const items = [...containers];
  const problems: string[] = [];
  const listings: [PruneKind, () => Promise<PruneItem[]>][] = [
    ['image', () => imageItems(engine, kept, options.allImages)],
    ['volume', () => volumeItems(engine, pruned)],
    ['build-cache', () => buildCacheItems(engine)],
  ];
  // One kind that cannot be read must not hide the others.
  for (const [kind, list] of listings) {
    try {
      items.push(...(await list()));
    } catch (error) {
      problems.push(`${kindNames[kind]}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { items, problems };
}

async function removeItem(engine: Engine, item: PruneItem): Promise<void> {
  switch (item.kind) {
    case 'container': {
      const current = await engine.containers.get(item.id);
      // Never remove what started running since the preview.
      if (!stopped(current))
        throw new BerthError('IN_USE', `${item.label} is ${current.state.status} now; left alone`, 1);
      await engine.containers.remove(item.id, { force: false });
      return;
    }
    case 'image':
      await engine.images.remove(item.id, { force: false });
      return;
    case 'volume':
      // The store refuses a volume a container mounts (one left after an unmarked container).
      await engine.volumes.remove(item.id);
      return;
    case 'build-cache':
      await engine.builder.pruneCache();
      return;
  }
}

/** Containers first: an image or a volume is only free once the containers using it are gone. */
const order: PruneKind[] = ['container', 'image', 'volume', 'build-cache'];

export async function prune(
  engine: Engine,
  items: PruneItem[],
  onProgress: (done: number, total: number, item: PruneItem) => void,
): Promise<PruneOutcome> {
  const { layout } = engine;
  const measured = [layout.containers, layout.content, layout.layers, layout.volumes, buildCacheDir(layout)];
  const usage = async (): Promise<number> =>
    (await Promise.all(measured.map((dir) => diskUsage(dir)))).reduce((a, b) => a + b, 0);
  const before = await usage();
  const removed: PruneItem[] = [];
  const failures: PruneOutcome['failures'] = [];
  const sorted = [...items].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  let done = 0;
  for (const item of sorted) {
    onProgress(done, sorted.length, item);
    try {
      await removeItem(engine, item);
      removed.push(item);
    } catch (error) {
      failures.push({ item, message: error instanceof Error ? error.message : String(error) });
    }
    done++;
  }
  const last = sorted.at(-1);
  if (last) onProgress(done, sorted.length, last);
  return { reclaimed: Math.max(0, before - (await usage())), removed, failures };
}
