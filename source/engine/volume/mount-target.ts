/**
 * Where a mount lands inside a container's root. The image decides what is at the target, so a
 * symlink there (`/data -> /etc`, `/data -> ../../..`) must be followed as the container would
 * see it, inside the root, never as the host would: otherwise a bind of a volume onto "/data"
 * would cover the host's /etc. The walk is util/walk-in-root.ts; here missing components are
 * created inside, so the runtime finds a plain, link-free path.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { walkInRoot, type WalkStep } from '../util/walk-in-root.js';
import { MountTargetError } from './volume-errors.js';

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
  const where = (step: WalkStep): string => `/${[...step.resolved, step.part].join('/')}`;
  const resolved = await walkInRoot(rootfs, target, {
    missing: async (step) => {
      await createMissing(step.candidate, !step.last || kind === 'directory');
      return lstat(step.candidate);
    },
    check: (info, step) => {
      if (!step.last && !info.isDirectory()) {
        throw new MountTargetError(target, `${where(step)} is not a directory`);
      }
      if (step.last && kind === 'directory' && !info.isDirectory()) {
        throw new MountTargetError(target, `${where(step)} exists and is not a directory`);
      }
      if (step.last && kind === 'file' && info.isDirectory()) {
        throw new MountTargetError(target, `${where(step)} is a directory, the source is a file`);
      }
    },
    tooManyLinks: () => new MountTargetError(target, 'too many levels of symbolic links'),
  });
  if (resolved.length === 0) throw new MountTargetError(target, "it resolves to the container's root");
  return { hostPath: join(rootfs, ...resolved), containerPath: '/' + resolved.join('/') };
}
