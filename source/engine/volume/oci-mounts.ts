/**
 * `start`: turns the record's MountPoints into OCI spec mounts for a container whose rootfs is
 * mounted. Each target is resolved (and created) inside the rootfs by resolveMountTarget, and
 * the spec gets that link-free in-container path as `destination`: the builtin runtime and runc
 * both resolve destinations inside the root again, and with no link left on the path they land
 * on the same place. On the first start an empty volume is filled from the image (copy-up).
 */
import { mkdir, stat } from 'node:fs/promises';
import type { OciMount } from '../runtime/index.js';
import { copyUp } from './copy-up.js';
import { resolveMountTarget } from './mount-target.js';
import type { InspectMount, MountPoint } from './mount-types.js';
import { pathDepth } from './mount-path.js';
import { BindSourceMissingError, MountTargetError } from './volume-errors.js';

export interface OciMountsOptions {
  /** Host path of the container's mounted rootfs. */
  rootfs: string;
  /** Copy image content into empty volumes (docker does it once, when the container is new). */
  populate: boolean;
}

/** docker's tmpfs defaults; the user's options come after and win (exec over noexec). */
const TMPFS_DEFAULTS = ['noexec', 'nosuid', 'nodev'];

function bindOptions(mount: MountPoint): string[] {
  return [mount.nonRecursive ? 'bind' : 'rbind', mount.Propagation || 'rprivate', mount.RW ? 'rw' : 'ro'];
}

async function sourceKind(mount: MountPoint): Promise<'directory' | 'file'> {
  let info = await stat(mount.Source).catch(() => undefined);
  if (!info) {
    if (mount.Type === 'bind' && mount.mustExist) throw new BindSourceMissingError(mount.Source);
    // A -v host path removed since create, or a volume's _data lost: docker recreates it.
    await mkdir(mount.Source, { recursive: true, mode: 0o755 });
    info = await stat(mount.Source);
  }
  return info.isDirectory() ? 'directory' : 'file';
}

/**
 * OCI mounts for `mounts`, to append after docker's default mounts in the spec. Ordered parents
 * before children by the resolved path (so `/data` is mounted before `/data/logs`, even when
 * the child was asked for through a link).
 */
export async function ociMounts(mounts: MountPoint[], options: OciMountsOptions): Promise<OciMount[]> {
  const ordered = [...mounts].sort((a, b) => pathDepth(a.Destination) - pathDepth(b.Destination));
  const result: OciMount[] = [];
  for (const mount of ordered) result.push(await ociMount(mount, options));
  return result.sort((a, b) => pathDepth(a.destination) - pathDepth(b.destination));
}

async function ociMount(mount: MountPoint, options: OciMountsOptions): Promise<OciMount> {
  if (mount.Type === 'tmpfs') {
    const target = await resolveMountTarget(options.rootfs, mount.Destination, 'directory');
    return {
      destination: target.containerPath,
      type: 'tmpfs',
      source: 'tmpfs',
      options: [...TMPFS_DEFAULTS, ...(mount.tmpfsOptions ?? []), mount.RW ? 'rw' : 'ro', 'rprivate'],
    };
  }
  const kind = await sourceKind(mount);
  if (mount.Type === 'volume' && kind !== 'directory') {
    throw new MountTargetError(mount.Destination, `volume ${mount.Name ?? ''} has no data directory`);
  }
  if (mount.Type === 'volume' && options.populate && mount.copyData) {
    await copyUp(options.rootfs, mount.Destination, mount.Source);
  }
  const target = await resolveMountTarget(options.rootfs, mount.Destination, kind);
  return {
    destination: target.containerPath,
    type: 'bind',
    source: mount.Source,
    options: bindOptions(mount),
  };
}

/** docker's inspect `Mounts` (a --tmpfs mount is shown only in HostConfig.Tmpfs, as docker does). */
export function inspectMounts(mounts: MountPoint[]): InspectMount[] {
  return mounts
    .filter((mount) => !mount.fromTmpfsFlag)
    .map((mount) => ({
      Type: mount.Type,
      ...(mount.Name !== undefined ? { Name: mount.Name } : {}),
      Source: mount.Source,
      Destination: mount.Destination,
      ...(mount.Driver !== undefined ? { Driver: mount.Driver } : {}),
      Mode: mount.Mode,
      RW: mount.RW,
      Propagation: mount.Propagation,
    }));
}

/** The anonymous volumes a container owns (what `rm -v` removes). */
export function anonymousVolumesOf(mounts: MountPoint[]): string[] {
  return mounts
    .filter((mount) => mount.Type === 'volume' && mount.anonymous && mount.Name)
    .map((mount) => mount.Name as string);
}

/** docker's HostConfig.Tmpfs map for the --tmpfs mounts. */
export function tmpfsHostConfig(mounts: MountPoint[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const mount of mounts) {
    if (mount.fromTmpfsFlag)
      map[mount.Destination] = [...(mount.tmpfsOptions ?? []), ...(mount.RW ? [] : ['ro'])].join(',');
  }
  return map;
}
