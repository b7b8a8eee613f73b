/**
 * Which containers use which images and layers, read straight from the container records
 * (<root>/containers/<id>/container.json). The image store only reads them: it refuses to delete
 * an image a container was made from, and never collects a layer a container mounts.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Digest, isDigest } from '../util/index.js';

export interface ContainerUsage {
  id: string;
  name: string;
  imageId: string;
  imageRef: string;
  status: string;
  chainIds: Digest[];
  created: string;
  command: string;
  /** The container's own directory (its writable layer is <dir>/diff). */
  dir: string;
  /** Named volumes it mounts, when the record lists them. */
  volumes: string[];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function volumeNames(record: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const mounts = record['mounts'] ?? record['Mounts'];
  if (Array.isArray(mounts)) {
    for (const mount of mounts) {
      if (mount === null || typeof mount !== 'object') continue;
      const entry = mount as Record<string, unknown>;
      const name = text(entry['name'] ?? entry['Name']);
      const type = text(entry['type'] ?? entry['Type']);
      if (name && (type === '' || type === 'volume')) names.add(name);
    }
  }
  return [...names];
}

/** Every readable container record; a missing containers directory means none. */
export async function readContainerUsage(containersDir: string): Promise<ContainerUsage[]> {
  const names = await readdir(containersDir).catch(() => [] as string[]);
  const usage: ContainerUsage[] = [];
  for (const name of names) {
    let record: Record<string, unknown>;
    try {
      // Synchronously, as ContainerStore.list: many small files, no thread-pool round trips.
      const parsed: unknown = JSON.parse(readFileSync(join(containersDir, name, 'container.json'), 'utf8'));
      if (parsed === null || typeof parsed !== 'object') continue;
      record = parsed as Record<string, unknown>;
    } catch {
      continue; // a record being created, or not a container directory
    }
    const state = record['state'];
    const status =
      state !== null && typeof state === 'object' ? text((state as Record<string, unknown>)['status']) : '';
    const chainIds = Array.isArray(record['chainIds'])
      ? record['chainIds'].filter((value): value is Digest => typeof value === 'string' && isDigest(value))
      : [];
    const args = Array.isArray(record['args']) ? record['args'].map(text) : [];
    usage.push({
      id: text(record['id']) || name,
      name: text(record['name']),
      imageId: text(record['imageId']),
      imageRef: text(record['imageRef']),
      status,
      chainIds,
      created: text(record['created']),
      command: [text(record['path']), ...args].filter(Boolean).join(' '),
      dir: join(containersDir, name),
      volumes: volumeNames(record),
    });
  }
  return usage;
}
