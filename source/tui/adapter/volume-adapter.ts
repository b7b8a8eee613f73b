/**
 * Volumes through the engine's volume store: each with its size and the names of the
 * containers (any state) that mount it, as the Volumes pane shows them.
 */
import { ANONYMOUS_LABEL, type Engine } from '../../engine/index.js';
import type { VolumeRow } from '../dashboard-engine.js';

export interface VolumeDetail extends VolumeRow {
  anonymous: boolean;
  /** Ids of the containers that mount it. */
  userIds: string[];
}

export async function volumeDetails(engine: Engine): Promise<VolumeDetail[]> {
  const [volumes, usage, containers] = await Promise.all([
    engine.volumes.list(),
    engine.volumes.usage(),
    engine.containers.list(),
  ]);
  const sizes = new Map(usage.map((entry) => [entry.name, entry.size]));
  const names = new Map(containers.map((container) => [container.id, container.name]));
  return volumes.map((volume) => ({
    name: volume.name,
    size: sizes.get(volume.name),
    usedBy: volume.usedBy.map((id) => names.get(id) ?? id.slice(0, 12)),
    anonymous: volume.anonymous || Object.hasOwn(volume.labels, ANONYMOUS_LABEL),
    userIds: volume.usedBy,
  }));
}

export async function listVolumes(engine: Engine): Promise<VolumeRow[]> {
  return (await volumeDetails(engine)).map(({ name, size, usedBy }) => ({ name, size, usedBy }));
}

export async function removeVolume(engine: Engine, name: string): Promise<void> {
  await engine.volumes.remove(name);
}
