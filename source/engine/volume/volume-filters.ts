/**
 * `volume ls --filter` and `volume prune --filter`, with docker's keys: dangling=true|false,
 * name=<regexp>, label=<key>[=<value>], label!=<key>[=<value>] (prune), driver=<name>.
 */
import { InvalidArgumentError } from '../errors/index.js';

export interface VolumeFilterTarget {
  name: string;
  driver: string;
  labels: Record<string, string>;
  /** No container mounts it. */
  dangling: boolean;
}

type Predicate = (volume: VolumeFilterTarget) => boolean;

const KEYS = ['dangling', 'name', 'label', 'label!', 'driver'] as const;
type Key = (typeof KEYS)[number];

function parseBool(filter: string, value: string): boolean {
  if (['true', '1'].includes(value.toLowerCase())) return true;
  if (['false', '0'].includes(value.toLowerCase())) return false;
  throw new InvalidArgumentError(`invalid filter '${filter}'`);
}

function labelMatches(labels: Record<string, string>, wanted: string): boolean {
  const eq = wanted.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, wanted);
  const key = wanted.slice(0, eq);
  return Object.hasOwn(labels, key) && labels[key] === wanted.slice(eq + 1);
}

/** docker matches `name=` as an unanchored regular expression; a bad one matches literally. */
function nameMatches(name: string, pattern: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return name.includes(pattern);
  }
}

function splitFilter(filter: string, allowed: readonly Key[]): { key: Key; value: string } {
  const notEq = filter.indexOf('!=');
  const eq = filter.indexOf('=');
  const negated = notEq >= 0 && notEq < eq;
  const key = (negated ? filter.slice(0, notEq) + '!' : filter.slice(0, eq)).trim().toLowerCase();
  if (eq < 0 || !(allowed as readonly string[]).includes(key)) {
    throw new InvalidArgumentError(`invalid filter '${eq < 0 ? filter : key.replace(/!$/, '')}'`);
  }
  return { key: key as Key, value: filter.slice(eq + 1) };
}

/**
 * One predicate for a list of `key=value` filters. Values of the same key are alternatives
 * (any may match), different keys must all match, as docker combines them.
 */
export function volumeFilter(filters: string[], allowed: readonly Key[] = KEYS): Predicate {
  const byKey = new Map<Key, string[]>();
  for (const filter of filters) {
    const { key, value } = splitFilter(filter, allowed);
    if (key === 'dangling') parseBool(filter, value);
    byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  const checks: Predicate[] = [];
  for (const [key, values] of byKey) {
    switch (key) {
      case 'dangling':
        checks.push((volume) => values.some((value) => volume.dangling === parseBool('dangling', value)));
        break;
      case 'name':
        checks.push((volume) => values.some((value) => nameMatches(volume.name, value)));
        break;
      case 'label':
        // Every label= filter must match (docker's label filters are conjunctive).
        checks.push((volume) => values.every((value) => labelMatches(volume.labels, value)));
        break;
      case 'label!':
        checks.push((volume) => values.every((value) => !labelMatches(volume.labels, value)));
        break;
      case 'driver':
        checks.push((volume) => values.includes(volume.driver));
        break;
    }
  }
  return (volume) => checks.every((check) => check(volume));
}

/** Filters `volume prune` accepts (docker: label, label!, and all). */
export const PRUNE_FILTER_KEYS: readonly Key[] = ['label', 'label!'];
