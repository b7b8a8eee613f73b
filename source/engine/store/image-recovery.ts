/**
 * Recovery after a killed berth: leftovers are found by a cheap look at <root>/tmp (a lease or an
 * unpack directory whose process is dead); only then does berth sweep blob temp files and
 * half-unpacked layers and collect the blobs and layers no image names.
 */
import { readdir } from 'node:fs/promises';
import type { ContentStore } from './content-store.js';
import type { LayerStore } from './layer-store.js';
import type { ImageIndexFile } from './image-index.js';
import { isProcessAlive } from '../util/process-alive.js';
import { oldestLiveLease, removeDeadBlobTemps, removeDeadLeases } from './image-lease.js';
import { readContainerUsage } from './image-usage.js';
import { collectGarbage, type GcResult, type GcRoots } from './store-gc.js';
import type { StoreLayout } from '../util/index.js';

interface RecoveryDeps {
  layout: StoreLayout;
  content: ContentStore;
  layers: LayerStore;
  extraRoots?: () => Promise<GcRoots>;
}

/** Names in tmp/ that a process owns by pid: our leases and the layer store's work directories. */
const OWNED = /^(?:op-|layer-unpack-|layer-delete-)(\d+)-/;

async function hasDeadLeftovers(tmpDir: string): Promise<boolean> {
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const match = OWNED.exec(name);
    if (match && !isProcessAlive(Number(match[1]))) return true;
  }
  return false;
}

/** Collects garbage under the index lock, sparing what live operations are writing. */
export async function runGc(deps: RecoveryDeps, index: ImageIndexFile): Promise<GcResult> {
  return index.locked(async () =>
    collectGarbage({
      content: deps.content,
      layers: deps.layers,
      data: await index.read(),
      containers: await readContainerUsage(deps.layout.containers),
      spareSince: await oldestLiveLease(deps.layout.tmp),
      extraRoots: await deps.extraRoots?.(),
    }),
  );
}

/** Returns true when a crash was found and cleaned up. */
export async function recoverStore(deps: RecoveryDeps, index: ImageIndexFile): Promise<boolean> {
  if (!(await hasDeadLeftovers(deps.layout.tmp))) return false;
  await removeDeadBlobTemps(deps.content.blobsDir);
  await deps.layers.removeLeftovers();
  await runGc(deps, index);
  // The dead leases go last: they are the marker that makes the next command retry all this.
  await removeDeadLeases(deps.layout.tmp);
  return true;
}
