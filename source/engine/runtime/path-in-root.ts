/**
 * Resolving a path from inside a container (USER's /etc/passwd, `cp` targets, WORKDIR) to a host
 * path without ever leaving the container's root (the walk is util/walk-in-root.ts), and reading
 * small files found that way.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors/index.js';
import { walkInRoot } from '../util/walk-in-root.js';

export class PathEscapeError extends BerthError {
  constructor(path: string, why: string) {
    super('PATH_UNSAFE', `cannot resolve ${path} inside the container: ${why}`, 125);
  }
}

/**
 * Host path of `path` inside `root`, with every symlink resolved inside `root`. Components that
 * do not exist are kept as they are (so callers may create them). The last component is
 * resolved too unless `followLast` is false (for `cp -a` of a link itself, `rm`, lstat).
 */
export async function resolveInRoot(root: string, path: string, followLast = true): Promise<string> {
  const resolved = await walkInRoot(root, path, {
    missing: async () => undefined,
    followLast,
    tooManyLinks: () => new PathEscapeError(path, 'too many levels of symbolic links'),
  });
  return join(root, ...resolved);
}

/**
 * Reads a small file from inside the root (resolved as above, opened with O_NOFOLLOW so a link
 * swapped in after resolution is refused). Returns undefined when it does not exist.
 */
export async function readFileInRoot(
  root: string,
  path: string,
  maxBytes = 4 << 20,
): Promise<string | undefined> {
  const hostPath = await resolveInRoot(root, path);
  let handle;
  try {
    handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
