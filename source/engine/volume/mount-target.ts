/**
 * Where a mount lands inside a container's root. The image decides what is at the target, so a
 * symlink there (`/data -> /etc`, `/data -> ../../..`) must be followed as the container would
 * see it, inside the root, never as the host would: otherwise a bind of a volume onto "/data"
 * would cover the host's /etc. The path is walked one component at a time with lstat, every
 * symlink re-read relative to the root (`..` at the root stays at the root, as in the kernel),
 * and missing components are created inside, so the runtime finds a plain, link-free path.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { MountTargetError } from './volume-errors.js';

const MAX_LINKS = 255;

export interface MountTarget {
  /** Host path inside the rootfs, free of symlinks. */
  hostPath: string;
  /** The same place as the container sees it, free of symlinks: pass it as the spec destination. */
  containerPath: string;
}

async function createMissing(path: string, asDirectory: boolean): Promise<void> {
  if (asDirectory) {
    await mkdir(path, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return;
  }
  // O_EXCL|O_NOFOLLOW: never write through a link that appeared meanwhile.
  const handle = await open(
    path,
    constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW,
    0o644,
  );
  await handle.close();
}

/**
 * Resolves `target` inside `rootfs`, creating what is missing: directories on the way, and the
 * last component as a directory (`kind: 'directory'`) or an empty file (`kind: 'file'`, for a
 * bind of a file). Throws MountTargetError when something in the way is of the wrong type.
 */
export async function resolveMountTarget(
  rootfs: string,
  target: string,
  kind: 'directory' | 'file' = 'directory',
): Promise<MountTarget> {
  const pending = posix
    .normalize('/' + target)
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
    const last = pending.length === 0;
    const candidate = join(rootfs, ...resolved, part);
    let info = await lstat(candidate).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) {
      await createMissing(candidate, !last || kind === 'directory');
      info = await lstat(candidate);
    }
    if (info.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new MountTargetError(target, 'too many levels of symbolic links');
      const link = await readlink(candidate);
      if (link.startsWith('/')) resolved.length = 0;
      pending.unshift(...link.split('/').filter(Boolean));
      continue;
    }
    if (!last && !info.isDirectory()) {
      throw new MountTargetError(target, `/${[...resolved, part].join('/')} is not a directory`);
    }
    if (last && kind === 'directory' && !info.isDirectory()) {
      throw new MountTargetError(target, `/${[...resolved, part].join('/')} exists and is not a directory`);
    }
    if (last && kind === 'file' && info.isDirectory()) {
      throw new MountTargetError(
        target,
        `/${[...resolved, part].join('/')} is a directory, the source is a file`,
      );
    }
    resolved.push(part);
  }
  if (resolved.length === 0) throw new MountTargetError(target, "it resolves to the container's root");
  return { hostPath: join(rootfs, ...resolved), containerPath: '/' + resolved.join('/') };
}
