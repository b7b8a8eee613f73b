/**
 * Leases: an import, load or commit writes blobs and layers before any image names them. While
 * it runs it holds a lease, a directory <tmp>/op-<pid>-<start ms>-<random>/ that is also its
 * scratch space. Garbage collection spares everything newer than the oldest live lease, and a
 * lease whose process died marks a crash: its directory is removed and a full collection runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../util/process-alive.js';

const PREFIX = 'op-';

export interface Lease {
  /** Private scratch directory, on the store's filesystem. */
  dir: string;
  started: number;
  release(): Promise<void>;
}

function parseLeaseName(name: string): { pid: number; started: number } | undefined {
  const match = /^op-(\d+)-(\d+)-[0-9a-f]+$/.exec(name);
  if (!match) return undefined;
  return { pid: Number(match[1]), started: Number(match[2]) };
}

export async function acquireLease(tmpDir: string): Promise<Lease> {
  const started = Date.now();
  const dir = join(tmpDir, `${PREFIX}${process.pid}-${started}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  return { dir, started, release: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `action` inside a lease and always releases it. */
export async function withLease<T>(tmpDir: string, action: (lease: Lease) => Promise<T>): Promise<T> {
  const lease = await acquireLease(tmpDir);
  try {
    return await action(lease);
  } finally {
    await lease.release();
  }
}

/** Start time of the oldest lease whose process still runs, or undefined when none does. */
export async function oldestLiveLease(tmpDir: string): Promise<number | undefined> {
  let oldest: number | undefined;
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const lease = parseLeaseName(name);
    if (!lease || !isProcessAlive(lease.pid)) continue;
    oldest = oldest === undefined ? lease.started : Math.min(oldest, lease.started);
  }
  return oldest;
}

/** Removes the leases of dead processes; returns how many there were (0: nothing crashed). */
export async function removeDeadLeases(tmpDir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const lease = parseLeaseName(name);
    if (!lease || isProcessAlive(lease.pid)) continue;
    await rm(join(tmpDir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Content-store temp files (`.<name>.tmp-<pid>-<random>`) whose writer died. */
export async function removeDeadBlobTemps(blobsDir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(blobsDir).catch(() => [] as string[])) {
    const match = /^\..*\.tmp-(\d+)-[0-9a-f]+$/.exec(name);
    if (!match || isProcessAlive(Number(match[1]))) continue;
    await rm(join(blobsDir, name), { force: true, recursive: true });
    removed++;
  }
  return removed;
}
