/**
 * Placing COPY/ADD sources into the step's root filesystem with docker's rules: a directory's
 * contents (not the directory) go to the destination, a file goes to `dest/name` when the
 * destination is a directory, missing parents are created 0755, files keep their mode and mtime
 * (unless --chmod), owners become 0:0 for context files or the --chown user. Every host path is
 * resolved inside the root, so a symlink in the image cannot redirect a copy out of it.
 */
import type { Stats } from 'node:fs';
import { chmod, copyFile, lchown, lstat, mkdir, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { resolveInRoot } from '../runtime/index.js';
import type { CopySource, SourceTree } from './copy-sources.js';

export interface Owner {
  uid: number;
  gid: number;
}

export interface PlaceOptions {
  /** --chown: the owner of everything copied and of the parent directories created. */
  owner?: Owner;
  /** --chmod: the mode of everything copied. */
  mode?: number;
}

/** Creates `path` and missing parents inside `root` (0755, owned by `owner`); returns the host path. */
export async function mkdirAllInRoot(root: string, path: string, owner: Owner): Promise<string> {
  const parts = posix.normalize('/' + path).split('/').filter(Boolean);
  let current = '/';
  let host = root;
  for (const part of parts) {
    current = posix.join(current, part);
    host = await resolveInRoot(root, current);
    const info = await lstat(host).catch(() => undefined);
    if (info?.isDirectory()) continue;
    if (info) await rm(host, { force: true });
    await mkdir(host, { mode: 0o755 });
    await lchown(host, owner.uid, owner.gid);
    await chmod(host, 0o755);
  }
  return host;
}

function ownerOf(tree: SourceTree, stat: Stats, options: PlaceOptions): Owner {
  if (options.owner) return options.owner;
  return tree.isContext ? { uid: 0, gid: 0 } : { uid: stat.uid, gid: stat.gid };
}

/** Host path for a new entry at in-root `path`: the parent resolved (and created), the name kept. */
async function placeFor(root: string, path: string, parentOwner: Owner): Promise<string> {
  const parent = await mkdirAllInRoot(root, posix.dirname(path), parentOwner);
  return join(parent, posix.basename(path));
}

async function copyEntry(tree: SourceTree, rel: string, stat: Stats, root: string, dest: string, options: PlaceOptions, created: Owner): Promise<void> {
  const owner = ownerOf(tree, stat, options);
  const source = join(tree.root, rel);
  if (stat.isDirectory()) {
    const host = await placeFor(root, dest, created);
    const existing = await lstat(host).catch(() => undefined);
    if (existing && !existing.isDirectory()) await rm(host, { force: true });
    if (!existing?.isDirectory()) await mkdir(host);
    await copyChildren(tree, rel, root, dest, options, created);
    await lchown(host, owner.uid, owner.gid);
    await chmod(host, options.mode ?? stat.mode & 0o7777);
    await utimes(host, stat.atime, stat.mtime);
    return;
  }
  const host = await placeFor(root, dest, created);
  const existing = await lstat(host).catch(() => undefined);
  if (existing) await rm(host, { recursive: existing.isDirectory(), force: true });
  if (stat.isSymbolicLink()) {
    await symlink(await readlink(source), host);
    await lchown(host, owner.uid, owner.gid);
    return;
  }
  if (!stat.isFile()) return; // devices, sockets and FIFOs are not copied
  await copyFile(source, host);
  await lchown(host, owner.uid, owner.gid);
  await chmod(host, options.mode ?? stat.mode & 0o7777);
  await utimes(host, stat.atime, stat.mtime);
}

async function copyChildren(tree: SourceTree, rel: string, root: string, dest: string, options: PlaceOptions, created: Owner): Promise<void> {
  for (const name of await tree.list(rel)) {
    const child = rel === '' ? name : `${rel}/${name}`;
    const stat = await tree.stat(child);
    if (stat) await copyEntry(tree, child, stat, root, posix.join(dest, name), options, created);
  }
}

/** Whether in-root `path` is an existing directory (following links inside the root). */
export async function isDirInRoot(root: string, path: string): Promise<boolean> {
  const info = await lstat(await resolveInRoot(root, path)).catch(() => undefined);
  return info?.isDirectory() ?? false;
}

/**
 * Copies one source to `dest` (absolute in-root path). `destIsDir`: the destination names a
 * directory (trailing slash, several sources, or an existing directory).
 */
export async function copySource(tree: SourceTree, source: CopySource, root: string, dest: string, destIsDir: boolean, options: PlaceOptions): Promise<void> {
  const created = options.owner ?? { uid: 0, gid: 0 };
  if (source.stat.isDirectory()) {
    await mkdirAllInRoot(root, dest, created);
    await copyChildren(tree, source.rel, root, dest, options, created);
    return;
  }
  const target = destIsDir ? posix.join(dest, source.name) : dest;
  await copyEntry(tree, source.rel, source.stat, root, target, options, created);
}

/** Writes a file with `data` (heredoc sources, downloads placed by name). */
export async function writeFileInRoot(root: string, path: string, data: Buffer, mode: number, owner: Owner, mtime: Date): Promise<void> {
  const host = await placeFor(root, path, owner);
  const existing = await lstat(host).catch(() => undefined);
  if (existing) await rm(host, { recursive: existing.isDirectory(), force: true });
  await writeFile(host, data);
  await lchown(host, owner.uid, owner.gid);
  await chmod(host, mode);
  await utimes(host, mtime, mtime);
}
