/**
 * Cross-process locks for a daemonless store. Node has no flock(2), so a lock is a file created
 * with O_EXCL holding the owner's pid; a lock whose owner is dead is stale and taken over. Every
 * multi-step change to shared state (image index, container records) runs inside withLock.
 */
import { open, readFile, rm, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../errors/index.js';
import { isProcessAlive } from './process-alive.js';

async function tryAcquire(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    // An empty file means the owner is between open and write: wait for it.
    if (Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner)) await rm(path, { force: true });
    return false;
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
