/** pause/unpause: the cgroup freezer, with docker's refusals for the wrong states. */
import { openCgroup } from '../runtime/index.js';
import { ContainerStateError } from './container-errors.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';

export async function setPaused(
  store: ContainerStore,
  id: string,
  paused: boolean,
): Promise<ContainerRecord> {
  return store.update(id, async (current) => {
    if (paused && current.state.status === 'paused')
      throw new ContainerStateError(`container ${current.id} is already paused`);
    if (paused && current.state.status !== 'running')
      throw new ContainerStateError(`container ${current.id} is not running`);
    if (!paused && current.state.status !== 'paused')
      throw new ContainerStateError(`container ${current.id} is not paused`);
    if (!current.cgroup) throw new ContainerStateError(`container ${current.id} has no cgroup`);
    const cgroup = openCgroup(current.cgroup.version, current.cgroup.paths);
    if (paused) await cgroup.freeze();
    else await cgroup.thaw();
    return { ...current, state: { ...current.state, status: paused ? 'paused' : 'running' } };
  });
}
