/**
 * docker's `-v` / `--volume`: `DEST` (anonymous volume), `NAME:DEST[:MODE]` (named volume),
 * `/HOST:DEST[:MODE]` (bind; `./rel` is made absolute first, as the docker CLI does). MODE is a
 * comma list with at most one of each: ro|rw, z|Z, a propagation, nocopy, a consistency.
 */
import { isAbsolute, posix, resolve } from 'node:path';
import { InvalidVolumeNameError, MountSpecError } from './volume-errors.js';
import { PROPAGATIONS, type MountSpec, type Propagation } from './mount-types.js';
import { checkDestination } from './mount-path.js';
import { isValidVolumeName } from './volume-name.js';

const MODE_GROUPS: Record<string, readonly string[]> = {
  rw: ['ro', 'rw'],
  label: ['z', 'Z'],
  propagation: PROPAGATIONS,
  copy: ['nocopy'],
  consistency: ['consistent', 'cached', 'delegated'],
};

interface ParsedMode {
  readOnly: boolean;
  propagation?: Propagation;
  noCopy: boolean;
}

/** Parses a MODE; undefined when it is not one docker accepts. */
export function parseVolumeMode(mode: string): ParsedMode | undefined {
  const parsed: ParsedMode = { readOnly: false, noCopy: false };
  if (mode === '') return parsed;
  const seen = new Set<string>();
  for (const option of mode.split(',')) {
    const group = Object.entries(MODE_GROUPS).find(([, values]) => values.includes(option))?.[0];
    if (!group || seen.has(group)) return undefined;
    seen.add(group);
    if (option === 'ro') parsed.readOnly = true;
    if (option === 'nocopy') parsed.noCopy = true;
    if (group === 'propagation') parsed.propagation = option as Propagation;
  }
  return parsed;
}

export function parseVolumeFlag(raw: string, cwd = process.cwd()): MountSpec {
  const fail = (why?: string): never => {
    throw new MountSpecError('-v, --volume', raw, why ?? 'invalid volume specification');
  };
  if ((raw.match(/:/g) ?? []).length > 2) fail('too many colons (expected [SOURCE:]DESTINATION[:MODE])');
  const parts = raw.split(':');
  if (parts[0] === '') fail('empty source');
  let source: string | undefined;
  let target: string;
  let mode = '';
  if (parts.length === 1) {
    target = parts[0] as string;
  } else if (parts.length === 2) {
    if (parts[1] === '') fail('empty destination');
    // `/dest:ro` is not a volume: an anonymous volume cannot take a mode.
    if (parseVolumeMode(parts[1] as string)) fail('a destination alone cannot take a mode');
    [source, target] = parts as [string, string];
  } else {
    [source, target, mode] = parts as [string, string, string];
  }
  const parsedMode = parseVolumeMode(mode) ?? fail(`invalid mode: ${mode}`);
  const destination = checkDestination(target);
  if ('error' in destination) return fail(destination.error);
  if (source !== undefined && !isAbsolute(source) && source.startsWith('.')) source = resolve(cwd, source);
  if (source !== undefined && isAbsolute(source)) {
    if (parsedMode.noCopy) fail('nocopy applies to volumes, not bind mounts');
    return {
      type: 'bind',
      source: posix.normalize(source).replace(/(.)\/+$/, '$1'),
      target: destination.path,
      readOnly: parsedMode.readOnly,
      ...(parsedMode.propagation ? { propagation: parsedMode.propagation } : {}),
      createSource: true,
      nonRecursive: false,
      ...(mode ? { mode } : {}),
    };
  }
  if (parsedMode.propagation) fail('a propagation mode applies to bind mounts, not volumes');
  if (source === undefined && parsedMode.readOnly)
    fail('must not set ReadOnly mode when using anonymous volumes');
  if (source !== undefined && !isValidVolumeName(source)) fail(new InvalidVolumeNameError(source).message);
  return {
    type: 'volume',
    ...(source !== undefined ? { source } : {}),
    target: destination.path,
    readOnly: parsedMode.readOnly,
    noCopy: parsedMode.noCopy,
    labels: {},
    ...(mode ? { mode } : {}),
  };
}
