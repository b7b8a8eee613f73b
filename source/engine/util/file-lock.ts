/**
 * Cross-process locks for a daemonless store. Node has no flock(2), so a lock is a file holding
 * the owner's pid; a lock whose owner is dead is stale and taken over. Every multi-step change to
 * shared state (image index, container records) runs inside withLock.
 */
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../errors/index.js';
import { isProcessAlive } from './process-alive.js';

/**
 * An empty lock file can only come from an older berth that created the file before writing
 * its pid and was killed in between; past this age it is taken as stale.
 */
const EMPTY_LOCK_STALE_MS = 5_000;

let sequence = 0;

/** `<lock>.<pid>.<n>`: this process's own scratch name next to the lock. */
function privateName(path: string): string {
  return `${path}.${process.pid}.${sequence++}`;
}

async function tryAcquire(path: string): Promise<boolean> {
  // The pid is written to a private file first and then linked into place: link(2) fails with
  // EEXIST atomically, and the lock is never seen without its owner, even if we are killed.
  const mine = privateName(path);
  try {
    await writeFile(mine, String(process.pid));
    await link(mine, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(mine, { force: true });
  }
  await breakIfStale(path);
  return false;
}

async function breakIfStale(path: string): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return; // released meanwhile
  const owner = Number.parseInt(text, 10);
  const hasOwner = Number.isInteger(owner) && owner > 0;
  if (hasOwner ? isProcessAlive(owner) : !(await olderThan(path, EMPTY_LOCK_STALE_MS))) return;
  // Two waiters can find the same dead owner; the first removes the lock and may take it again
  // before the second removes "the stale lock" — the new one. So the lock is moved aside
  // (rename is atomic) and only removed if it is still what we judged stale; a fresh lock moved
  // by mistake is linked back at once.
  const aside = privateName(path);
  try {
    await rename(path, aside);
  } catch {
    return; // broken by another waiter meanwhile
  }
  const moved = await readFile(aside, 'utf8').catch(() => text);
  if (moved !== text) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
  if (hasOwner) await removeDeadPrivateFiles(path);
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}

/** A holder killed between writing its private file and removing it leaves `<lock>.<pid>.<n>`. */
async function removeDeadPrivateFiles(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) {
      await rm(join(dirname(path), name), { force: true });
    }
  }
}

export async function withLock<T>(path: string, action: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  while (!(await tryAcquire(path))) {
    if (Date.now() > deadline) {
      throw new BerthError('LOCK_TIMEOUT', `timed out waiting for lock ${path}`, 125);
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
  try {
    return await action();
  } finally {
    await rm(path, { force: true });
  }
}
