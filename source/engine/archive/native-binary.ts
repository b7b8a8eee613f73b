/**
 * Where berth's small C helpers live: <package>/build/berth-<name>, built from
 * source/native/<name>/ by scripts/build-native.js. This file sits at the same depth under
 * source/ and dist/, so one relative path serves both tsx and compiled runs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../errors/index.js';

export class NativeBinaryMissingError extends BerthError {
  constructor(path: string) {
    super('NATIVE_MISSING', `${path} is missing: run \`node scripts/build-native.js\` (needs cc)`, 125);
  }
}

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of build/berth-<name>; throws NativeBinaryMissingError when it was not built. */
export function nativeBinary(name: string): string {
  const path = `${packageRoot}build/berth-${name}`;
  if (!existsSync(path)) throw new NativeBinaryMissingError(path);
  return path;
}
