/**
 * Where berth's package lives on disk, found by walking up to its package.json rather than by
 * counting folders: the same code runs from source/ under tsx, from dist/ and from the one-file
 * bundle in dist/bin/, each at a different depth. The C programs built at install sit in build/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'berth') return dir;
      } catch {
        // Not ours or unreadable: keep walking.
      }
    }
    if (dirname(dir) === dir) return start;
  }
}

export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** build/berth-<name>, built from source/native/<name>/ by scripts/build-native.js. */
export function nativeBinaryPath(name: string): string {
  return join(packageRoot, 'build', `berth-${name}`);
}
