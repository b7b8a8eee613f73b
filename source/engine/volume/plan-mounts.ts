/**
 * `create`: turns a MountRequest plus the image's VOLUMEs and --volumes-from into the container's
 * MountPoints, creating the named and anonymous volumes they need and the missing host
 * directories of `-v` binds. docker's precedence: --volumes-from first, then -v and --mount
 * (which replace a --volumes-from mount of the same destination), then image VOLUMEs on any
 * destination still free. If anything fails, the volumes this call created are removed again.
 */
import { mkdir, stat } from 'node:fs/promises';
import type { MountPoint, MountRequest, MountSpec } from './mount-types.js';
import { checkDestination } from './mount-path.js';
import { BindSourceMissingError, MountSpecError } from './volume-errors.js';
import type { VolumeStore } from './volume-store.js';

export interface PlanContext {
  volumes: VolumeStore;
  /** The image config's `Volumes` (keys are paths), or a list of paths. */
  imageVolumes?: Record<string, unknown> | string[] | null;
  /** For --volumes-from: the mounts of another container (name or id prefix). */
  containerMounts?: (nameOrId: string) => Promise<MountPoint[]>;
}

export interface PlannedMounts {
  /** What the container record keeps (field `mounts`), in the order they were asked for. */
  mounts: MountPoint[];
  /** Anonymous volumes this container owns: `rm -v` removes them. */
  anonymousVolumes: string[];
  /** Volumes this call created (to remove if the container is not created after all). */
  createdVolumes: string[];
}

function imageVolumePaths(volumes: PlanContext['imageVolumes']): string[] {
  if (!volumes) return [];
  return Array.isArray(volumes) ? volumes : Object.keys(volumes);
}

async function isDirectoryOrFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

export async function planMounts(request: MountRequest, context: PlanContext): Promise<PlannedMounts> {
  const byDestination = new Map<string, MountPoint>();
  const created: string[] = [];
  const anonymous: string[] = [];
  const volume = async (spec: { name?: string; labels?: Record<string, string> }) => {
    const result = await context.volumes.create({
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      labels: spec.labels ?? {},
    });
    if (result.created) created.push(result.volume.name);
    if (spec.name === undefined) anonymous.push(result.volume.name);
    return result.volume;
  };
  try {
    for (const from of request.volumesFrom) {
      if (!context.containerMounts)
        throw new MountSpecError('--volumes-from', from.container, 'not available here');
      for (const mount of await context.containerMounts(from.container)) {
        if (mount.Type === 'tmpfs') continue; // a tmpfs belongs to its container alone
        byDestination.set(mount.Destination, {
          Type: mount.Type,
          ...(mount.Name !== undefined ? { Name: mount.Name, Driver: mount.Driver ?? 'local' } : {}),
          Source: mount.Source,
          Destination: mount.Destination,
          Mode: from.mode ?? mount.Mode,
          RW: mount.RW && from.mode !== 'ro',
          Propagation: mount.Propagation,
          ...(mount.nonRecursive ? { nonRecursive: true } : {}),
        });
      }
    }
    for (const spec of request.mounts) byDestination.set(spec.target, await mountPointFor(spec, volume));
    for (const path of imageVolumePaths(context.imageVolumes)) {
      const destination = checkDestination(path);
      if ('error' in destination || byDestination.has(destination.path)) continue;
      const data = await volume({});
      byDestination.set(destination.path, {
        Type: 'volume',
        Name: data.name,
        Source: data.mountpoint,
        Destination: destination.path,
        Driver: 'local',
        Mode: '',
        RW: true,
        Propagation: '',
        anonymous: true,
        copyData: true,
      });
    }
  } catch (error) {
    for (const name of created) await context.volumes.remove(name).catch(() => undefined);
    throw error;
  }
  return { mounts: [...byDestination.values()], anonymousVolumes: anonymous, createdVolumes: created };
}

async function mountPointFor(
  spec: MountSpec,
  volume: (spec: {
    name?: string;
    labels?: Record<string, string>;
  }) => Promise<{ name: string; mountpoint: string }>,
): Promise<MountPoint> {
  switch (spec.type) {
    case 'volume': {
      const data = await volume({
        ...(spec.source !== undefined ? { name: spec.source } : {}),
        labels: spec.labels,
      });
      return {
        Type: 'volume',
        Name: data.name,
        Source: data.mountpoint,
        Destination: spec.target,
        Driver: 'local',
        Mode: spec.mode ?? '',
        RW: !spec.readOnly,
        Propagation: '',
        ...(spec.source === undefined ? { anonymous: true } : {}),
        copyData: !spec.noCopy,
      };
    }
    case 'bind':
      if (!(await isDirectoryOrFile(spec.source))) {
        if (!spec.createSource) throw new BindSourceMissingError(spec.source);
        // docker's -v makes a missing host path a directory.
        await mkdir(spec.source, { recursive: true, mode: 0o755 });
      }
      return {
        Type: 'bind',
        Source: spec.source,
        Destination: spec.target,
        Mode: spec.mode ?? '',
        RW: !spec.readOnly,
        Propagation: spec.propagation ?? 'rprivate',
        ...(spec.nonRecursive ? { nonRecursive: true } : {}),
        ...(spec.createSource ? {} : { mustExist: true }),
      };
    case 'tmpfs':
      return {
        Type: 'tmpfs',
        Source: '',
        Destination: spec.target,
        Mode: '',
        RW: !spec.readOnly,
        Propagation: '',
        tmpfsOptions: spec.options,
        ...(spec.fromTmpfsFlag ? { fromTmpfsFlag: true } : {}),
      };
  }
}
