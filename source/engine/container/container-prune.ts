/** `container prune`: removes stopped containers matching docker's until= and label= filters. */
import { isActive, type ContainerRecord } from './container-record.js';
import { layerSize } from './container-view.js';
import { rootfsDirs } from '../runtime/index.js';
import { InvalidArgumentError } from '../errors/index.js';
import type { Containers } from './containers.js';

export interface PruneFilters {
  /** Epoch ms: only containers created before. */
  until?: number;
  /** `key` or `key=value`; a leading `!` (docker's label!=) negates. */
  labels?: string[];
}

export function matchesLabel(record: ContainerRecord, filter: string): boolean {
  const negate = filter.startsWith('!');
  const [key = '', value] = (negate ? filter.slice(1) : filter).split('=', 2);
  const has = key in record.config.Labels && (value === undefined || record.config.Labels[key] === value);
  return negate ? !has : has;
}

/** docker's until=: RFC3339 / date, unix seconds, or a duration before now (10m, 24h). */
export function parseUntil(value: string, now = Date.now()): number {
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (duration) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 'ms' | 's' | 'm' | 'h'];
    return now - Number(duration[1]) * unit;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new InvalidArgumentError(`invalid until filter: ${value}`);
  return parsed;
}

export async function pruneContainers(
  containers: Containers,
  filters: PruneFilters = {},
): Promise<{ deleted: string[]; reclaimed: number }> {
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const record of await containers.list()) {
    if (isActive(record.state.status)) continue;
    if (filters.until !== undefined && Date.parse(record.created) >= filters.until) continue;
    if (!(filters.labels ?? []).every((filter) => matchesLabel(record, filter))) continue;
    const size = await layerSize(rootfsDirs(containers.store.dir(record.id)).upper);
    try {
      await containers.remove(record.id);
      deleted.push(record.id);
      reclaimed += size;
    } catch {
      // Started meanwhile: not ours to prune.
    }
  }
  return { deleted, reclaimed };
}
