/**
 * The OCI changeset of an overlayfs upper directory (what `commit` and `build` store as a new
 * layer): every entry of the upper dir, with overlay's own markers translated back to OCI form:
 * a 0/0 character device (whiteout) becomes `.wh.<name>`, a directory with
 * trusted.overlay.opaque=y gets a `.wh..wh..opq` entry. Owners, modes, times, symlinks,
 * hardlinks (by inode) and xattrs are kept; entries are sorted so the same tree gives the same
 * tar, byte for byte.
 */
import { createReadStream, readFileSync, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FsOps, TarWriter, type TarHeader } from '../archive/index.js';
import { BerthError } from '../errors/index.js';

const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** An upper dir written with redirect_dir or metacopy keeps data in the lowers: no changeset. */
export class UnsupportedUpperDirError extends BerthError {
  constructor(path: string, feature: string) {
    super(
      'LAYER_DIFF_UNSUPPORTED',
      `cannot diff ${path}: overlayfs ${feature} is in use (mount with ${feature}=off)`,
      125,
    );
  }
}

/** Linux dev_t → major/minor (glibc's gnu_dev_major/minor). */
function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { devmajor: Number(major), devminor: Number(minor & 0xffffffffn) };
}

/**
 * Bodies up to this size are read with one synchronous call (from the page cache, usually):
 * a stream's open/read/close round trips through libuv's pool cost more than the read itself.
 */
const SMALL_FILE = 256 * 1024;

/** How many entries of a directory have their metadata fetched ahead of the tar writer. */
const META_BATCH = 64;

interface EntryMeta {
  stat: Stats;
  xattrs: Record<string, Buffer>;
}

/**
 * Whether a whiteout at `rel` in an upper dir hides anything in `lowers` (without lowers it is
 * kept: the layers below are not known). One that hides nothing is left out of the layer.
 */
export async function whiteoutHidesSomething(lowers: readonly string[], rel: string): Promise<boolean> {
  if (lowers.length === 0) return true;
  for (const lower of lowers) {
    if (
      await lstat(join(lower, rel)).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

class DiffWalker {
  private readonly inodes = new Map<string, string>();

  constructor(
    private readonly upper: string,
    private readonly lowers: string[],
    private readonly writer: TarWriter,
    private readonly fsops: FsOps,
  ) {}

  /** lstat, plus xattrs for what can carry them in the tar. */
  private async meta(full: string): Promise<EntryMeta> {
    const stat = await lstat(full);
    if ((stat.isCharacterDevice() && stat.rdev === 0) || stat.isSocket()) return { stat, xattrs: {} };
    return { stat, xattrs: await this.fsops.xattrs(full) };
  }

  async walk(rel: string): Promise<void> {
    const names = (await readdir(rel === '' ? this.upper : join(this.upper, rel))).sort();
    // Entries' metadata is fetched a batch ahead: the lstats overlap in libuv's pool and the
    // xattr requests pipeline through the one helper, where one entry at a time paid a round
    // trip each (most of the time a diff of many small files took).
    for (let start = 0; start < names.length; start += META_BATCH) {
      const batch = names.slice(start, start + META_BATCH).map((name) => {
        const child = rel === '' ? name : `${rel}/${name}`;
        const meta = this.meta(join(this.upper, child));
        meta.catch(() => undefined); // awaited below; an earlier failure must not leave it unhandled
        return { name, child, meta };
      });
      for (const { name, child, meta } of batch) await this.entry(child, rel, name, await meta);
    }
  }

  private async entry(rel: string, parent: string, name: string, meta: EntryMeta): Promise<void> {
    const full = join(this.upper, rel);
    const { stat } = meta;
    const base = { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, size: 0, mtime: stat.mtime };
    if (stat.isCharacterDevice() && stat.rdev === 0) {
      if (!(await whiteoutHidesSomething(this.lowers, rel))) return;
      const whiteout = parent === '' ? `.wh.${name}` : `${parent}/.wh.${name}`;
      await this.writer.add({ ...base, name: whiteout, type: 'file', mode: 0 });
      return;
    }
    if (stat.isSocket()) return; // tar has no sockets; docker skips them too
    const all = meta.xattrs;
    const opaque = all[OPAQUE_XATTR]?.toString() === 'y';
    if (all['trusted.overlay.metacopy']) throw new UnsupportedUpperDirError(full, 'metacopy');
    if (all['trusted.overlay.redirect']) throw new UnsupportedUpperDirError(full, 'redirect_dir');
    const xattrs = Object.fromEntries(
      Object.entries(all).filter(([key]) => !key.startsWith('trusted.overlay.')),
    );
    const header: TarHeader = { ...base, name: rel, type: 'file' };
    if (Object.keys(xattrs).length > 0) header.xattrs = xattrs;
    if (stat.isDirectory()) {
      await this.writer.add({ ...header, type: 'dir' });
      if (opaque) await this.writer.add({ ...base, name: `${rel}/.wh..wh..opq`, type: 'file', mode: 0 });
      await this.walk(rel);
    } else if (stat.isFile()) {
      if (stat.nlink > 1) {
        const key = `${stat.dev}:${stat.ino}`;
        const first = this.inodes.get(key);
        if (first !== undefined) {
          await this.writer.add({ ...header, type: 'hardlink', linkname: first });
          return;
        }
        this.inodes.set(key, rel);
      }
      await this.writer.add(
        { ...header, size: stat.size },
        stat.size === 0 ? undefined : stat.size <= SMALL_FILE ? readFileSync(full) : createReadStream(full),
      );
    } else if (stat.isSymbolicLink()) {
      await this.writer.add({ ...header, type: 'symlink', linkname: await readlink(full) });
    } else if (stat.isCharacterDevice() || stat.isBlockDevice()) {
      const type = stat.isCharacterDevice() ? 'char' : 'block';
      await this.writer.add({ ...header, type, ...deviceNumbers(stat.rdev) });
    } else if (stat.isFIFO()) {
      await this.writer.add({ ...header, type: 'fifo' });
    }
  }
}

/**
 * Streams the changeset tar of `upperDir` (unmounted, or at least quiescent). `lowerDirs`, when
 * given, lets whiteouts for names no lower layer has be left out.
 */
export function createLayerDiff(upperDir: string, lowerDirs: string[] = []): Readable {
  const writer = new TarWriter();
  void (async () => {
    const fsops = FsOps.start();
    try {
      await new DiffWalker(upperDir, lowerDirs, writer, fsops).walk('');
    } finally {
      await fsops.close();
    }
    await writer.finish();
  })().catch((error: unknown) => writer.destroy(error instanceof Error ? error : new Error(String(error))));
  return writer.stream;
}
