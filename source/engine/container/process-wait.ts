/** Waiting on processes berth did not spawn (a container's init belongs to its monitor). */
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../util/process-alive.js';

export { isProcessAlive };

/** Resolves true once `pid` is gone, false if it is still alive after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
  return true;
}

export function signalProcess(pid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
