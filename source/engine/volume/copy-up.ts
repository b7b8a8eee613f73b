/**
 * docker's copy-up: a volume that is empty when first mounted is filled with what the image has
 * at the mount path, keeping owners, modes, times, symlinks (as links, never followed), hard
 * links, device nodes, fifos and extended attributes (security.capability and friends, through
 * berth-fsops; skipped when it was not built). The source is resolved inside the container's
 * mounted rootfs, so a link in the image cannot make berth copy host files into a volume.
 */
import { constants } from 'node:fs';
import {
  chmod,
  copyFile,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  readdir,
  readlink,
  symlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { FsOps, NativeBinaryMissingError } from '../archive/index.js';
import { resolveInRoot } from '../runtime/index.js';

export interface CopyUpResult {
  /** False when there was nothing to do (no directory at the path, or the volume not empty). */
  copied: boolean;
  /** Entries copied (files, directories, links, nodes). */
  entries: number;
}

/** Extended attributes a copy must not carry (overlayfs' own bookkeeping). */
const SKIPPED_XATTRS = /^trusted\.overlay\./;
/** Entries of one directory copied at once. */
const CONCURRENCY = 8;

class TreeCopier {
  entries = 0;
  /** First copy of each hard-linked inode, and when it is complete. */
  private readonly links = new Map<string, { path: string; done: Promise<void> }>();
  private fsops: FsOps | undefined | null = undefined;

  /** berth-fsops on first need; null when it is not built (then xattrs and nodes are skipped). */
  private ops(): FsOps | null {
    if (this.fsops === undefined) {
      try {
        this.fsops = FsOps.start();
      } catch (error) {
        if (!(error instanceof NativeBinaryMissingError)) throw error;
        this.fsops = null;
      }
    }
    return this.fsops;
  }

  async close(): Promise<void> {
    if (this.fsops) await this.fsops.close();
  }

  /**
   * Copies a directory's entries a few at a time: each file costs several syscalls and an
   * xattr round trip to berth-fsops, and overlapping them is what makes copy-up fast.
   */
  async copyDirectory(source: string, target: string): Promise<void> {
    const names = await readdir(source);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < names.length) {
        const name = names[next++] as string;
        const from = join(source, name);
        await this.copyEntry(from, join(target, name), await lstat(from));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, names.length) }, worker));
  }

  private async copyEntry(from: string, to: string, info: Stats): Promise<void> {
    if (info.isSocket()) return; // a socket is not content; docker skips it too
    if (!info.isDirectory() && info.nlink > 1) {
      const key = `${info.dev}:${info.ino}`;
      const first = this.links.get(key);
      if (first) {
        await first.done;
        await link(first.path, to);
        this.entries++;
        return;
      }
      let finished = (): void => undefined;
      this.links.set(key, { path: to, done: new Promise<void>((resolve) => (finished = resolve)) });
      try {
        await this.copyOne(from, to, info);
      } finally {
        finished();
      }
      return;
    }
    await this.copyOne(from, to, info);
  }

  private async copyOne(from: string, to: string, info: Stats): Promise<void> {
    if (info.isDirectory()) {
      await mkdir(to, { mode: 0o700 });
      await this.copyDirectory(from, to);
    } else if (info.isSymbolicLink()) {
      await symlink(await readlink(from), to);
    } else if (info.isFile()) {
      await copyFile(from, to, constants.COPYFILE_FICLONE);
    } else {
      const ops = this.ops();
      if (!ops) return;
      const kind = info.isFIFO() ? 'fifo' : info.isBlockDevice() ? 'block' : 'char';
      const major = Math.floor(info.rdev / 256) & 0xfff;
      const minor = (info.rdev & 0xff) | ((info.rdev >> 12) & 0xfff00);
      await ops.mknod(to, kind, info.mode, major, minor);
    }
    await this.copyMetadata(from, to, info);
    this.entries++;
  }

  /** Owner first (chown clears set-id bits), then mode, xattrs and times. */
  async copyMetadata(from: string, to: string, info: Stats): Promise<void> {
    await lchown(to, info.uid, info.gid);
    if (!info.isSymbolicLink()) await chmod(to, info.mode & 0o7777);
    const ops = this.ops();
    if (ops) {
      for (const [name, value] of Object.entries(await ops.xattrs(from))) {
        if (SKIPPED_XATTRS.test(name)) continue;
        await ops.lsetxattr(to, name, value).catch(() => undefined); // a file system without that namespace
      }
    }
    // Seconds as a double keep microseconds; Date objects would drop below the millisecond.
    await lutimes(to, info.atimeMs / 1000, info.mtimeMs / 1000);
  }
}

/**
 * Copies the image's content at `pathInContainer` (resolved inside `rootfsPath`) into
 * `volumeDataDir` when the volume is empty, and gives the volume's top directory the owner and
 * mode of the image's directory (so `VOLUME /var/lib/app` owned by `app` stays writable by it).
 */
export async function copyUp(
  rootfsPath: string,
  pathInContainer: string,
  volumeDataDir: string,
): Promise<CopyUpResult> {
  const source = await resolveInRoot(rootfsPath, pathInContainer);
  const info = await lstat(source).catch(() => undefined);
  if (!info?.isDirectory()) return { copied: false, entries: 0 };
  if ((await readdir(volumeDataDir)).length > 0) return { copied: false, entries: 0 };
  const copier = new TreeCopier();
  try {
    await copier.copyDirectory(source, volumeDataDir);
    await copier.copyMetadata(source, volumeDataDir, info);
  } finally {
    await copier.close();
  }
  return { copied: true, entries: copier.entries };
}
