/**
 * Volume names: docker's local-driver rule (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), which has no `/` and
 * cannot start with `.`, so a name is always exactly one new entry of the volumes directory.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { InvalidVolumeNameError } from './volume-errors.js';

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** Longest name a file system entry can carry. */
const MAX_NAME = 255;

export function isValidVolumeName(name: string): boolean {
  return name.length <= MAX_NAME && VOLUME_NAME.test(name);
}

export function validateVolumeName(name: string): string {
  if (!isValidVolumeName(name)) throw new InvalidVolumeNameError(name);
  return name;
}

/** docker names anonymous volumes with 64 random hex characters, like container ids. */
export function anonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}

/** The volume's directory under `volumesDir`; refuses any name that is not one plain entry. */
export function volumeDir(volumesDir: string, name: string): string {
  return join(volumesDir, validateVolumeName(name));
}

/** docker 23+ marks volumes made without a name with this label; prune removes only those by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
