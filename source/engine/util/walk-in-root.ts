/**
 * The one walk behind every "path from inside a container" lookup (USER's /etc/passwd, `cp`
 * targets, WORKDIR, mount targets): one component at a time with lstat, every symlink re-read as
 * if `root` were `/` (like runc's securejoin), `..` at the root staying at the root as in the
 * kernel. Callers decide what a missing component means (stop, or create it) and what a
 * component must be.
 */
import type { Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';

const MAX_LINKS = 255;

export interface WalkStep {
  /** Host path of this component. */
  candidate: string;
  /** The components resolved before this one (link-free, relative to the root). */
  resolved: readonly string[];
  part: string;
  last: boolean;
}

export interface WalkHooks {
  /**
   * A component that does not exist: create it and return its lstat, or return undefined to end
   * the walk there with the rest of the path kept as written.
   */
  missing: (step: WalkStep) => Promise<Stats | undefined>;
  /** A component that exists and is not a link: throw if it is not what the caller needs. */
  check?: (info: Stats, step: WalkStep) => void;
  /** Follow the last component when it is a link (false for `cp -a` of the link itself). */
  followLast?: boolean;
  /** The error for a loop of links. */
  tooManyLinks: () => Error;
}

/** The link-free components of `path` inside `root`. */
export async function walkInRoot(root: string, path: string, hooks: WalkHooks): Promise<string[]> {
  const pending = posix
    .normalize('/' + path)
    .split('/')
    .filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const step: WalkStep = {
      candidate: join(root, ...resolved, part),
      resolved,
      part,
      last: pending.length === 0,
    };
    if (step.last && hooks.followLast === false) {
      resolved.push(part);
      break;
    }
    let info: Stats | undefined = await lstat(step.candidate).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (!info) {
      info = await hooks.missing(step);
      if (!info) {
        resolved.push(part, ...pending);
        break;
      }
    }
    if (info.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw hooks.tooManyLinks();
      const target = await readlink(step.candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    hooks.check?.(info, step);
    resolved.push(part);
  }
  return resolved;
}
