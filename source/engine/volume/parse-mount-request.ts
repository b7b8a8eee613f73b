/**
 * All of run/create's mount flags at once: `-v`, `--mount`, `--tmpfs DEST[:OPTIONS]` and
 * `--volumes-from CONTAINER[:ro|rw]`, into one MountRequest. Two mounts on the same destination
 * are refused as docker refuses them (`--tmpfs` given twice for one path keeps the last).
 */
import { DuplicateMountPointError, MountSpecError } from './volume-errors.js';
import type { MountFlags, MountRequest, MountSpec, TmpfsMountSpec, VolumesFromSpec } from './mount-types.js';
import { checkDestination } from './mount-path.js';
import { parseMountFlag } from './parse-mount-flag.js';
import { parseVolumeFlag, parseVolumeMode } from './parse-volume-flag.js';

/** Mount flags tmpfs takes (kernel flags and docker's propagation words). */
const TMPFS_FLAGS = new Set([
  'ro',
  'rw',
  'exec',
  'noexec',
  'suid',
  'nosuid',
  'dev',
  'nodev',
  'sync',
  'async',
  'dirsync',
  'atime',
  'noatime',
  'diratime',
  'nodiratime',
  'relatime',
  'norelatime',
  'strictatime',
  'mand',
  'nomand',
  'private',
  'rprivate',
  'shared',
  'rshared',
  'slave',
  'rslave',
]);
/** tmpfs data options and the values they take. */
const TMPFS_DATA: Record<string, RegExp> = {
  size: /^\d+[kmg%]?$/i,
  nr_blocks: /^\d+[kmg]?$/i,
  nr_inodes: /^\d+[kmg]?$/i,
  mode: /^[0-7]{1,4}$/,
  uid: /^\d+$/,
  gid: /^\d+$/,
  mpol: /^[a-z]+(:[\d,-]+)?$/,
  huge: /^(never|always|within_size|advise|deny|force)$/,
};

export function parseTmpfsFlag(raw: string): TmpfsMountSpec {
  const colon = raw.indexOf(':');
  const target = colon < 0 ? raw : raw.slice(0, colon);
  const optionText = colon < 0 ? '' : raw.slice(colon + 1);
  const destination = checkDestination(target);
  if ('error' in destination) throw new MountSpecError('--tmpfs', raw, destination.error);
  const options = optionText === '' ? [] : optionText.split(',');
  let readOnly = false;
  for (const option of options) {
    const eq = option.indexOf('=');
    const valid =
      eq < 0 ? TMPFS_FLAGS.has(option) : TMPFS_DATA[option.slice(0, eq)]?.test(option.slice(eq + 1));
    if (!valid) throw new MountSpecError('--tmpfs', raw, `invalid tmpfs option "${option}"`);
    if (option === 'ro') readOnly = true;
    if (option === 'rw') readOnly = false;
  }
  return {
    type: 'tmpfs',
    target: destination.path,
    readOnly,
    options: options.filter((option) => option !== 'ro' && option !== 'rw'),
    fromTmpfsFlag: true,
  };
}

export function parseVolumesFromFlag(raw: string): VolumesFromSpec {
  if (raw === '')
    throw new MountSpecError('--volumes-from', raw, 'volumes-from specification cannot be an empty string');
  const colon = raw.indexOf(':');
  const container = colon < 0 ? raw : raw.slice(0, colon);
  const mode = colon < 0 ? '' : raw.slice(colon + 1);
  if (container === '') throw new MountSpecError('--volumes-from', raw, 'no container named');
  if (mode === '') return { container };
  const parsed = parseVolumeMode(mode);
  // Propagation is inherited from the source container, never set here (docker's rule).
  if (!parsed || parsed.propagation || parsed.noCopy)
    throw new MountSpecError('--volumes-from', raw, `invalid mode: ${mode}`);
  return { container, mode: parsed.readOnly ? 'ro' : 'rw' };
}

/** Parses every mount flag and checks destinations against each other. */
export function parseMountRequest(flags: MountFlags, cwd = process.cwd()): MountRequest {
  const tmpfs = new Map<string, TmpfsMountSpec>();
  for (const raw of flags.tmpfs ?? []) {
    const spec = parseTmpfsFlag(raw);
    tmpfs.set(spec.target, spec);
  }
  const mounts: MountSpec[] = [];
  const claimed = new Set<string>();
  const add = (spec: MountSpec): void => {
    if (claimed.has(spec.target) || tmpfs.has(spec.target)) throw new DuplicateMountPointError(spec.target);
    claimed.add(spec.target);
    mounts.push(spec);
  };
  for (const raw of flags.volume ?? []) add(parseVolumeFlag(raw, cwd));
  for (const raw of flags.mount ?? []) add(parseMountFlag(raw, cwd));
  mounts.push(...tmpfs.values());
  return { mounts, volumesFrom: (flags.volumesFrom ?? []).map(parseVolumesFromFlag) };
}
