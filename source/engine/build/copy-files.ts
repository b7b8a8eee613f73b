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

interface Target {
  /** Host path of the entry; its parent is resolved inside the root already. */
  host: string;
  /** The same place as an in-root path, to resolve a symlink found there. */
  path: string;
}

async function copyEntry(tree: SourceTree, rel: string, stat: Stats, root: string, target: Target, options: PlaceOptions): Promise<void> {
  const owner = ownerOf(tree, stat, options);
  const source = join(tree.root, rel);
  let host = target.host;
  const existing = await lstat(host).catch(() => undefined);
  if (stat.isDirectory()) {
    if (existing?.isSymbolicLink()) {
      // A link to a directory in the image is followed (inside the root), as docker does.
      host = await resolveInRoot(root, target.path);
      const resolved = await lstat(host).catch(() => undefined);
      if (resolved && !resolved.isDirectory()) await rm(host, { force: true });
      if (!resolved?.isDirectory()) await mkdir(host);
    } else {
      if (existing && !existing.isDirectory()) await rm(host, { force: true });
      if (!existing?.isDirectory()) await mkdir(host);
    }
    await copyChildren(tree, rel, root, { host, path: target.path }, options);
    await lchown(host, owner.uid, owner.gid);
    await chmod(host, options.mode ?? stat.mode & 0o7777);
    await utimes(host, stat.atime, stat.mtime);
    return;
  }
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

/** Files of one directory are copied this many at a time (the syscalls overlap in libuv's pool). */
const FILE_CONCURRENCY = 8;

async function copyChildren(tree: SourceTree, rel: string, root: string, parent: Target, options: PlaceOptions): Promise<void> {
  const files: (() => Promise<void>)[] = [];
  for (const name of await tree.list(rel)) {
    const child = rel === '' ? name : `${rel}/${name}`;
    const stat = await tree.stat(child);
    if (!stat) continue;
    const copy = (): Promise<void> =>
      copyEntry(tree, child, stat, root, { host: join(parent.host, name), path: posix.join(parent.path, name) }, options);
    if (stat.isDirectory()) await copy();
    else files.push(copy);
  }
  for (let i = 0; i < files.length; i += FILE_CONCURRENCY) {
    await Promise.all(files.slice(i, i + FILE_CONCURRENCY).map((copy) => copy()));
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
    const host = await mkdirAllInRoot(root, dest, created);
    await copyChildren(tree, source.rel, root, { host, path: dest }, options);
    return;
  }
  const path = destIsDir ? posix.join(dest, source.name) : dest;
  await copyEntry(tree, source.rel, source.stat, root, { host: await placeFor(root, path, created), path }, options);
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
