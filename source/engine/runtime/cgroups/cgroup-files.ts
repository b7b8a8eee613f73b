/** Small helpers shared by the v1 and v2 drivers: read/write control files, kill and rmdir. */
import { readFile, rmdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

export async function readControl(dir: string, file: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, file), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export async function readNumber(dir: string, file: string): Promise<number> {
  const text = await readControl(dir, file);
  const value = Number(text);
  return text === undefined || text === 'max' || !Number.isFinite(value) ? NaN : value;
}

export async function writeControl(dir: string, file: string, value: string | number): Promise<void> {
  await writeFile(join(dir, file), String(value));
}

/** Parses `key value` lines (memory.stat, memory.events, cpu.stat, oom_control). */
export function parseKeyed(text: string | undefined): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) map.set(key, Number(value));
  }
  return map;
}

export async function procsOf(dir: string): Promise<number[]> {
  const text = await readControl(dir, 'cgroup.procs');
  return (text ?? '')
    .split('\n')
    .map((line) => Number.parseInt(line, 10))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** SIGKILLs whatever is left and removes the directory; tolerant of it being gone already. */
export async function killAndRemove(dir: string, beforeKill?: () => Promise<void>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw error;
    }
    if (attempt === 0 && beforeKill) await beforeKill();
    for (const pid of await procsOf(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await sleep(20);
  }
}
