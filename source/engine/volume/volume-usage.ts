/**
 * Which containers mount which volumes, read from the container records
 * (<root>/containers/<id>/container.json, field `mounts`: MountPoint[]). A volume is in use while
 * any container names it, running or not, as docker counts it.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { storeLayout } from '../util/index.js';
import { isValidVolumeName } from './volume-name.js';

export interface VolumeUser {
  /** Container id. */
  id: string;
  name: string;
  status: string;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function mountedVolumes(record: Record<string, unknown>): string[] {
  const mounts = record['mounts'] ?? record['Mounts'];
  if (!Array.isArray(mounts)) return [];
  const names = new Set<string>();
  for (const mount of mounts) {
    if (mount === null || typeof mount !== 'object') continue;
    const entry = mount as Record<string, unknown>;
    const name = text(entry['Name'] ?? entry['name']);
    const type = text(entry['Type'] ?? entry['type']);
    if (name && type === 'volume') names.add(name);
  }
  return [...names];
}

/** Volume name → the containers that mount it. Unreadable records (mid-create) are skipped. */
export async function volumeUsers(containersDir: string): Promise<Map<string, VolumeUser[]>> {
  const users = new Map<string, VolumeUser[]>();
  for (const entry of await readdir(containersDir).catch(() => [] as string[])) {
    let record: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(
        await readFile(join(containersDir, entry, 'container.json'), 'utf8'),
      );
      if (parsed === null || typeof parsed !== 'object') continue;
      record = parsed as Record<string, unknown>;
    } catch {
      continue;
    }
    const state = record['state'];
    const user: VolumeUser = {
      id: text(record['id']) || entry,
      name: text(record['name']),
      status:
        state !== null && typeof state === 'object' ? text((state as Record<string, unknown>)['status']) : '',
    };
    for (const name of mountedVolumes(record)) {
      const list = users.get(name) ?? [];
      list.push(user);
      users.set(name, list);
    }
  }
  return users;
}

/**
 * Bytes of a volume's data as docker's `system df` counts them: apparent sizes of everything
 * that is not a directory, a hard-linked file once, never following a symlink.
 */
export async function dataSize(path: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const full = join(dir, name);
      const info = await lstat(full).catch(() => undefined);
      if (!info) continue;
      if (info.isDirectory()) {
        await walk(full);
        continue;
      }
      if (info.nlink > 1) {
        const key = `${info.dev}:${info.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += info.size;
    }
  };
  await walk(path);
  return total;
}

export interface VolumeUsage {
  name: string;
  /** Bytes in the volume's _data. */
  size: number;
  /** How many containers mount it. */
  links: number;
}

/** For `system df`: every volume under the store root with its size and number of users. */
export async function volumesUsage(root: string): Promise<VolumeUsage[]> {
  const layout = storeLayout(root);
  const users = await volumeUsers(layout.containers);
  const result: VolumeUsage[] = [];
  const names = (await readdir(layout.volumes).catch(() => [] as string[])).filter(isValidVolumeName).sort();
  for (const name of names) {
    const metadata = await lstat(join(layout.volumes, name, 'volume.json')).catch(() => undefined);
    if (!metadata) continue;
    result.push({
      name,
      size: await dataSize(join(layout.volumes, name, '_data')),
      links: users.get(name)?.length ?? 0,
    });
  }
  return result;
}
