/** Container-side mount paths: absolute, cleaned, never `/` (docker's rules). */
import { posix } from 'node:path';

/** Clean absolute destination, or a reason it is not one. */
export function checkDestination(target: string): { path: string } | { error: string } {
  if (target === '') return { error: 'field Target must not be empty' };
  if (!target.startsWith('/'))
    return { error: `invalid mount path: '${target}' mount path must be absolute` };
  const path = posix.normalize(target).replace(/(.)\/+$/, '$1');
  if (path === '/') return { error: "invalid specification: destination can't be '/'" };
  return { path };
}

/** Depth of a clean absolute path, to mount parents before children. */
export function pathDepth(path: string): number {
  return path.split('/').filter(Boolean).length;
}
