/**
 * A container's root filesystem: overlayfs with the image's layers as read-only lowers (shared by
 * every container of the image) and the container's own upper/work directories on top. Node has
 * no mount(2), so this runs mount(8)/umount(8).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../errors/index.js';

const run = promisify(execFile);
/** Absolute paths where they exist: a PATH search costs several failed execs per mount. */
const tool = (name: string): string =>
  ['/usr/bin', '/bin', '/usr/sbin', '/sbin']
    .map((dir) => `${dir}/${name}`)
    .find((path) => existsSync(path)) ?? name;
const MOUNT = tool('mount');
const UMOUNT = tool('umount');

export class MountError extends BerthError {
  constructor(message: string) {
    super('MOUNT_FAILED', message, 125);
  }
}

export interface RootfsDirs {
  /** Where the merged tree appears (the bundle's root.path). */
  merged: string;
  /** The container layer: everything the container writes. */
  upper: string;
  work: string;
  /** An empty directory, the lower of an image without layers (FROM scratch). */
  empty: string;
}

export function rootfsDirs(containerDir: string): RootfsDirs {
  return {
    merged: join(containerDir, 'rootfs'),
    upper: join(containerDir, 'diff'),
    work: join(containerDir, 'work'),
    empty: join(containerDir, 'empty'),
  };
}

/** The mount points listed in mountinfo (octal escapes decoded). */
export function mountPoints(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): Set<string> {
  const points = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const point = line.split(' ')[4];
    if (point)
      points.add(
        point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
      );
  }
  return points;
}

export function isMounted(path: string): boolean {
  return mountPoints().has(path);
}

/**
 * Mounts the overlay; idempotent. `lowerDirs` are ordered top-most layer first (overlayfs's
 * lowerdir order).
 */
export async function mountRootfs(dirs: RootfsDirs, lowerDirs: string[]): Promise<void> {
  await Promise.all(
    [dirs.merged, dirs.upper, dirs.work, dirs.empty].map((dir) => mkdir(dir, { recursive: true })),
  );
  if (isMounted(dirs.merged)) return;
  const lowers = lowerDirs.length > 0 ? lowerDirs : [dirs.empty];
  for (const dir of lowers) {
    if (/[:,]/.test(dir)) throw new MountError(`layer path not usable by overlayfs: ${dir}`);
  }
  const options = `lowerdir=${lowers.join(':')},upperdir=${dirs.upper},workdir=${dirs.work}`;
  if (options.length > 4000) {
    throw new MountError(`image has too many layers for one overlay mount (${lowers.length})`);
  }
  try {
    await run(MOUNT, ['-t', 'overlay', 'overlay', '-o', options, dirs.merged]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new MountError(`mounting the container's rootfs failed: ${stderr || (error as Error).message}`);
  }
}

/**
 * Unmounts the overlay; idempotent, lazy as a last resort so a stray open file cannot wedge rm.
 * True when the overlay is gone for good (it was not mounted, or a plain umount worked); false
 * after a lazy one, when whoever held it may still write through it to the upper dir.
 */
export async function unmountRootfs(dirs: RootfsDirs): Promise<boolean> {
  if (!isMounted(dirs.merged)) return true;
  try {
    await run(UMOUNT, [dirs.merged]);
    return true;
  } catch {
    await run(UMOUNT, ['-l', dirs.merged]).catch(() => undefined);
    return false;
  }
}
