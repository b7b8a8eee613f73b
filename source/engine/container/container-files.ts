/**
 * The container's filesystem from outside: diff (A/C/D from the container layer), commit (layer →
 * image), export (tar of the merged tree) and cp (both ways, resolved inside the root so no
 * symlink in the container can send a copy onto the host).
 */
import { spawn } from 'node:child_process';
import { cp, lstat, mkdir, readdir, lchown } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createLayerDiff } from '../store/layer-store.js';
import { isMounted, mountRootfs, resolveInRoot, rootfsDirs, unmountRootfs } from '../runtime/index.js';
import { NotFoundError } from '../errors/index.js';
import type { ContainerRecord } from './container-record.js';
import type { Containers } from './containers.js';
import type { RunConfig } from './image-source.js';
import type { Digest } from '../util/index.js';

export type ChangeKind = 'A' | 'C' | 'D';

async function existsInLowers(lowers: string[], rel: string): Promise<boolean> {
  for (const lower of lowers) {
    if (await lstat(join(lower, rel)).catch(() => undefined)) return true;
  }
  return false;
}

/** docker diff: walks the container layer; whiteouts (0:0 char devices) are deletions. */
export async function containerChanges(
  upper: string,
  lowers: string[],
): Promise<{ kind: ChangeKind; path: string }[]> {
  const changes: { kind: ChangeKind; path: string }[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(upper, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(rel, entry.name);
      const info = await lstat(join(upper, path));
      if (info.isCharacterDevice() && info.rdev === 0) {
        changes.push({ kind: 'D', path: '/' + path });
        continue;
      }
      changes.push({ kind: (await existsInLowers(lowers, path)) ? 'C' : 'A', path: '/' + path });
      if (info.isDirectory()) await walk(path);
    }
  };
  await walk('');
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/** Mounts the rootfs for the duration of `action` when the container is not running. */
export async function withRootfs<T>(
  containers: Containers,
  record: ContainerRecord,
  action: (rootfs: string) => Promise<T>,
): Promise<T> {
  const dirs = rootfsDirs(containers.store.dir(record.id));
  const wasMounted = isMounted(dirs.merged);
  if (!wasMounted) await mountRootfs(dirs, containers.layers.lowerDirs(record.chainIds));
  try {
    return await action(dirs.merged);
  } finally {
    const current = await containers.store.read(record.id);
    if (!wasMounted && current && current.state.status !== 'running' && current.state.status !== 'paused') {
      await unmountRootfs(dirs);
    }
  }
}

export async function diffContainer(
  containers: Containers,
  nameOrId: string,
): Promise<{ kind: ChangeKind; path: string }[]> {
  const record = await containers.get(nameOrId);
  return containerChanges(
    rootfsDirs(containers.store.dir(record.id)).upper,
    containers.layers.lowerDirs(record.chainIds),
  );
}

export interface CommitOptions {
  ref?: string;
  comment?: string;
  author?: string;
  /** Config after -c changes (the CLI applies Dockerfile-style changes). */
  changes?: Partial<RunConfig>;
  pause?: boolean;
}

export async function commitContainer(
  containers: Containers,
  nameOrId: string,
  options: CommitOptions = {},
): Promise<Digest> {
  const record = await containers.get(nameOrId);
  const pause = options.pause !== false && record.state.status === 'running';
  if (pause) await containers.pause(record.id);
  try {
    const upper = rootfsDirs(containers.store.dir(record.id)).upper;
    const config: RunConfig = {
      User: record.config.User,
      Env: record.config.Env,
      Entrypoint: record.config.Entrypoint,
      Cmd: record.config.Cmd,
      WorkingDir: record.config.WorkingDir,
      Labels: record.config.Labels,
      ExposedPorts: record.config.ExposedPorts ?? null,
      Volumes: record.config.Volumes ?? null,
      ...(record.config.StopSignal ? { StopSignal: record.config.StopSignal } : {}),
      ...options.changes,
    };
    const id = await containers.images.commit({
      parent: record.imageId,
      layer: createLayerDiff(upper, containers.layers.lowerDirs(record.chainIds)),
      config,
      comment: options.comment,
      author: options.author,
      ref: options.ref,
      containerId: record.id,
    });
    await containers.events.append({
      kind: 'container',
      action: 'commit',
      id: record.id,
      attributes: { name: record.name, image: id },
    });
    return id;
  } finally {
    if (pause) await containers.unpause(record.id).catch(() => undefined);
  }
}

/** docker export: the merged filesystem as a tar stream (numeric owners, no symlinks followed). */
export async function exportContainer(
  containers: Containers,
  nameOrId: string,
): Promise<{ stream: Readable; done: Promise<void> }> {
  const record = await containers.get(nameOrId);
  const dirs = rootfsDirs(containers.store.dir(record.id));
  const wasMounted = isMounted(dirs.merged);
  if (!wasMounted) await mountRootfs(dirs, containers.layers.lowerDirs(record.chainIds));
  const tar = spawn('tar', ['--numeric-owner', '--xattrs', '-C', dirs.merged, '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const done = new Promise<void>((resolve) => tar.once('close', () => resolve())).then(async () => {
    const current = await containers.store.read(record.id);
    if (!wasMounted && current && current.state.status !== 'running' && current.state.status !== 'paused')
      await unmountRootfs(dirs);
  });
  return { stream: tar.stdout, done };
}

export interface CopyOptions {
  /** -a: keep uid/gid of the source. */
  archive?: boolean;
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  const info = await lstat(path);
  await lchown(path, uid, gid);
  if (info.isDirectory()) for (const name of await readdir(path)) await chownTree(join(path, name), uid, gid);
}

/** -a: the copy gets the source's owners (fs.cp keeps modes and times, not owners). */
async function copyOwners(source: string, target: string): Promise<void> {
  const info = await lstat(source);
  await lchown(target, info.uid, info.gid);
  if (info.isDirectory())
    for (const name of await readdir(source)) await copyOwners(join(source, name), join(target, name));
}

async function copyTree(
  source: string,
  target: string,
  archive: boolean,
  owner?: { uid: number; gid: number },
): Promise<void> {
  await cp(source, target, {
    recursive: true,
    dereference: false,
    verbatimSymlinks: true,
    preserveTimestamps: true,
    force: true,
    errorOnExist: false,
  });
  if (archive) await copyOwners(source, target);
  else if (owner) await chownTree(target, owner.uid, owner.gid);
}

/** Destination like cp(1): into an existing directory, else as the named path. */
async function destinationFor(target: string, sourceName: string): Promise<string> {
  const info = await lstat(target).catch(() => undefined);
  return info?.isDirectory() ? join(target, sourceName) : target;
}

export async function copyFromContainer(
  containers: Containers,
  nameOrId: string,
  containerPath: string,
  hostPath: string,
  options: CopyOptions = {},
): Promise<void> {
  const record = await containers.get(nameOrId);
  await withRootfs(containers, record, async (rootfs) => {
    const source = await resolveInRoot(rootfs, containerPath, false);
    if (!(await lstat(source).catch(() => undefined)))
      throw new NotFoundError('file or directory', `${record.name}:${containerPath}`);
    const target = await destinationFor(hostPath, basename(source) || 'rootfs');
    await mkdir(dirname(target), { recursive: true });
    // Files land owned by the caller unless -a asks to keep the container's owners.
    await copyTree(source, target, options.archive ?? false, {
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
    });
  });
}

export async function copyToContainer(
  containers: Containers,
  nameOrId: string,
  hostPath: string,
  containerPath: string,
  options: CopyOptions = {},
): Promise<void> {
  const record = await containers.get(nameOrId);
  if (!(await lstat(hostPath).catch(() => undefined))) throw new NotFoundError('file or directory', hostPath);
  await withRootfs(containers, record, async (rootfs) => {
    // Resolve the parent inside the root (links followed, but only inside), then the last name.
    const resolved = await resolveInRoot(rootfs, containerPath);
    const target = await destinationFor(resolved, basename(hostPath));
    const safeTarget = await resolveInRoot(rootfs, target.slice(rootfs.length) || '/', false);
    await mkdir(dirname(safeTarget), { recursive: true });
    await copyTree(hostPath, safeTarget, options.archive ?? false, { uid: 0, gid: 0 });
  });
}
