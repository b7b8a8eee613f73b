/** `container prune`: removes stopped containers matching docker's until= and label= filters. */
import { isActive, type ContainerRecord } from './container-record.js';
import { layerSize } from './container-view.js';
import { rootfsDirs } from '../runtime/index.js';
import { InvalidArgumentError } from '../errors/index.js';
import type { Containers } from './containers.js';
import { mapLimit } from '../util/map-limit.js';

const PRUNE_CONCURRENCY = 8;

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
  const chosen = (await containers.list()).filter(
    (record) =>
      !isActive(record.state.status) &&
      (filters.until === undefined || Date.parse(record.created) < filters.until) &&
      (filters.labels ?? []).every((filter) => matchesLabel(record, filter)),
  );
  // Several at once: each removal mostly waits on unlink/rmdir and its own lock.
  const outcomes = await mapLimit(chosen, PRUNE_CONCURRENCY, async (record) => {
    const size = await layerSize(rootfsDirs(containers.store.dir(record.id)).upper);
    try {
      await containers.remove(record.id);
      return { id: record.id, size };
    } catch {
      return undefined; // started meanwhile: not ours to prune
    }
  });
  const removed = outcomes.filter((outcome) => outcome !== undefined);
  const deleted = removed.map((outcome) => outcome.id);
  const reclaimed = removed.reduce((sum, outcome) => sum + outcome.size, 0);
  return { deleted, reclaimed };
}
