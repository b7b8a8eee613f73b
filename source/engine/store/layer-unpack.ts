/**
 * Unpacks one OCI layer tar into an empty directory in the form overlayfs reads: whiteouts
 * `.wh.name` become 0/0 character devices, `.wh..wh..opq` becomes trusted.overlay.opaque=y.
 * Owners, modes, times, symlinks, hardlinks, device nodes and xattrs are kept.
 *
 * Safety rests on one fact: the target directory is private and starts empty, so a map of what
 * this unpack created is the whole truth about it. Every entry is resolved against that map
 * instead of the file system, so no entry (`../x`, `/../x`, `a/x` where `a` is a symlink,
 * hardlinks to paths outside or never written) can reach outside the directory.
 *
 * Metadata calls and small files use synchronous fs calls: a layer is mostly small files, and a
 * thread-pool round trip per chown/chmod/utimes cost more than the work itself (measured ~3x).
 * Large bodies still stream asynchronously.
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StoreCorruptError } from '../errors/index.js';
import { FsOps, readTar, type TarHeader } from '../archive/index.js';

/** A layer tried to place something outside its directory; nothing of it is kept. */
export class UnsafeLayerError extends StoreCorruptError {
  constructor(entry: string, reason: string) {
    super(`unsafe layer: entry ${JSON.stringify(entry)} ${reason}`, 'LAYER_UNSAFE');
  }
}

const OPAQUE_XATTR = 'trusted.overlay.opaque';
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

type Kind = 'dir' | 'symlink' | 'other';

/** Bodies up to this size are gathered and written with one synchronous call. */
const SMALL_FILE = 1024 * 1024;

/**
 * Splits an entry name into clean components, treating a leading `/` as the layer root (as
 * docker does). Returns undefined when `..` would climb above the root.
 */
export function entryComponents(name: string): string[] | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts;
}

class LayerWriter {
  private readonly kinds = new Map<string, Kind>([['', 'dir']]);
  private readonly dirs = new Map<string, TarHeader>();
  private fsopsHelper?: FsOps;
  private readonly asRoot = process.getuid?.() === 0;
  size = 0;

  constructor(private readonly root: string) {}

  private fsops(): FsOps {
    this.fsopsHelper ??= FsOps.start();
    return this.fsopsHelper;
  }

  private path(rel: string): string {
    return rel === '' ? this.root : `${this.root}/${rel}`;
  }

  /** Creates missing parents; refuses to go through anything that is not a real directory. */
  private async ensureParents(entry: string, parts: string[]): Promise<void> {
    let rel = '';
    for (let index = 0; index < parts.length - 1; index++) {
      rel = rel === '' ? (parts[index] as string) : `${rel}/${parts[index]}`;
      const kind = this.kinds.get(rel);
      if (kind === 'dir') continue;
      if (kind === 'symlink') throw new UnsafeLayerError(entry, `writes through symlink ${rel}`);
      if (kind === 'other') throw new UnsafeLayerError(entry, `has a non-directory parent ${rel}`);
      mkdirSync(this.path(rel), { mode: 0o755 });
      this.kinds.set(rel, 'dir');
    }
  }

  /** A later entry replaces an earlier one at the same path (except dir over dir: merge). */
  private async replace(rel: string, newKind: Kind): Promise<boolean> {
    const kind = this.kinds.get(rel);
    if (kind === undefined) return false;
    if (kind === 'dir' && newKind === 'dir') return true;
    if (rel === '') throw new UnsafeLayerError('/', 'replaces the layer root');
    await rm(this.path(rel), { recursive: true, force: true });
    this.kinds.delete(rel);
    if (kind === 'dir') {
      const prefix = `${rel}/`;
      for (const key of [...this.kinds.keys()]) if (key.startsWith(prefix)) this.kinds.delete(key);
      for (const key of [...this.dirs.keys()]) if (key.startsWith(prefix)) this.dirs.delete(key);
    }
    this.dirs.delete(rel);
    return false;
  }

  async add(header: TarHeader, body: Readable): Promise<void> {
    const parts = entryComponents(header.name);
    if (!parts) throw new UnsafeLayerError(header.name, 'escapes the layer directory');
    const base = parts.at(-1) ?? '';
    if (base.startsWith(WHITEOUT_PREFIX)) return this.whiteout(header, parts, base);
    await this.ensureParents(header.name, parts);
    const rel = parts.join('/');
    switch (header.type) {
      case 'dir':
        if (!(await this.replace(rel, 'dir'))) {
          mkdirSync(this.path(rel), { mode: 0o700 });
          this.kinds.set(rel, 'dir');
        }
        await this.owner(rel, header);
        this.dirs.set(rel, header); // mode and times once its children are written
        await this.setXattrs(rel, header);
        return;
      case 'file':
        await this.replace(rel, 'other');
        return this.file(rel, header, body);
      case 'symlink':
        await this.replace(rel, 'symlink');
        symlinkSync(header.linkname ?? '', this.path(rel));
        this.kinds.set(rel, 'symlink');
        await this.owner(rel, header);
        await this.setXattrs(rel, header);
        lutimesSync(this.path(rel), header.mtime, header.mtime);
        return;
      case 'hardlink':
        return this.hardlink(rel, header);
      default: {
        await this.replace(rel, 'other');
        await this.fsops().mknod(this.path(rel), header.type, header.mode, header.devmajor, header.devminor);
        this.kinds.set(rel, 'other');
        await this.owner(rel, header);
        await this.setXattrs(rel, header);
        lutimesSync(this.path(rel), header.mtime, header.mtime);
      }
    }
  }

  private async whiteout(header: TarHeader, parts: string[], base: string): Promise<void> {
    await this.ensureParents(header.name, parts);
    const parent = parts.slice(0, -1).join('/');
    if (base === OPAQUE_MARKER) {
      await this.fsops().lsetxattr(this.path(parent), OPAQUE_XATTR, Buffer.from('y'));
      return;
    }
    if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // aufs metadata: ignored, as docker does
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name === '.' || name === '..')
      throw new UnsafeLayerError(header.name, 'is a whiteout outside its directory');
    const rel = parent === '' ? name : `${parent}/${name}`;
    await this.replace(rel, 'other');
    await this.fsops().mknod(this.path(rel), 'char', 0, 0, 0);
    this.kinds.set(rel, 'other');
    await this.owner(rel, header);
  }

  private async file(rel: string, header: TarHeader, body: Readable): Promise<void> {
    const path = this.path(rel);
    this.kinds.set(rel, 'other');
    if (header.size <= SMALL_FILE) {
      const chunks: Buffer[] = [];
      if (header.size > 0) for await (const chunk of body) chunks.push(chunk as Buffer);
      const fd = openSync(path, 'wx', 0o600);
      try {
        for (const chunk of chunks) writeSync(fd, chunk);
        this.fileMetadata(fd, header);
      } finally {
        closeSync(fd);
      }
    } else {
      const handle = await open(path, 'wx', 0o600);
      try {
        for await (const chunk of body) await handle.write(chunk as Buffer);
        this.fileMetadata(handle.fd, header);
      } finally {
        await handle.close();
      }
    }
    this.size += header.size;
    // xattrs after chown: chown drops security.capability. Setting them leaves mtime alone.
    await this.setXattrs(rel, header);
  }

  private fileMetadata(fd: number, header: TarHeader): void {
    if (this.asRoot) fchownSync(fd, header.uid, header.gid);
    // chown clears setuid/setgid, so the mode goes on afterwards.
    fchmodSync(fd, header.mode);
    futimesSync(fd, header.mtime, header.mtime);
  }

  private async hardlink(rel: string, header: TarHeader): Promise<void> {
    const targetParts = entryComponents(header.linkname ?? '');
    if (!targetParts || targetParts.length === 0) {
      throw new UnsafeLayerError(
        header.name,
        `links to ${JSON.stringify(header.linkname)} outside the layer`,
      );
    }
    const target = targetParts.join('/');
    if (target === rel) return;
    await this.replace(rel, 'other');
    const kind = this.kinds.get(target);
    if (kind === undefined) {
      throw new UnsafeLayerError(
        header.name,
        `links to ${JSON.stringify(header.linkname)}, which is not in the layer`,
      );
    }
    if (kind === 'dir') throw new UnsafeLayerError(header.name, 'is a hardlink to a directory');
    linkSync(this.path(target), this.path(rel));
    this.kinds.set(rel, kind);
  }

  private async owner(rel: string, header: TarHeader): Promise<void> {
    if (this.asRoot) lchownSync(this.path(rel), header.uid, header.gid);
  }

  private async setXattrs(rel: string, header: TarHeader): Promise<void> {
    for (const [name, value] of Object.entries(header.xattrs ?? {})) {
      // An image must not forge overlayfs metadata (opaque, redirect, metacopy, origin).
      if (name.startsWith('trusted.overlay.')) continue;
      await this.fsops().lsetxattr(this.path(rel), name, value);
    }
  }

  /** Directory modes and times, set last because writing children changes them. */
  async finish(): Promise<void> {
    for (const [rel, header] of this.dirs) {
      chmodSync(this.path(rel), header.mode);
      lutimesSync(this.path(rel), header.mtime, header.mtime);
    }
  }

  async close(): Promise<void> {
    await this.fsopsHelper?.close();
  }
}

/**
 * Unpacks the uncompressed tar `source` into `root`, which must exist and be empty. On error
 * the directory holds a partial tree: the caller removes it.
 */
export async function unpackLayerTar(source: Readable, root: string): Promise<{ size: number }> {
  const writer = new LayerWriter(root);
  try {
    for await (const { header, body } of readTar(source)) await writer.add(header, body);
    await writer.finish();
    return { size: writer.size };
  } finally {
    await writer.close();
  }
}
