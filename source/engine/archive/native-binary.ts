/**
 * Where berth's small C helpers live: <package>/build/berth-<name>, built from
 * source/native/<name>/ by scripts/build-native.js.
 */
import { existsSync } from 'node:fs';
import { nativeBinaryPath } from '../util/package-root.js';
import { BerthError } from '../errors/index.js';

export class NativeBinaryMissingError extends BerthError {
  constructor(path: string) {
    super('NATIVE_MISSING', `${path} is missing: run \`node scripts/build-native.js\` (needs cc)`, 125);
  }
}

/** Absolute path of build/berth-<name>; throws NativeBinaryMissingError when it was not built. */
export function nativeBinary(name: string): string {
  const path = nativeBinaryPath(name);
  if (!existsSync(path)) throw new NativeBinaryMissingError(path);
  return path;
}
