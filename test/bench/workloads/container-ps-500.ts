/**
 * `ps -a` with 500 stopped containers. berth's are made through the engine API in-process and
 * marked exited the way the monitor's cleanup records it (starting 500 would cost minutes of
 * monitors and cleanups); docker's are made through its Engine API and left created (starting
 * 500 costs ~90 s here) — `ps -a` lists both kinds from its in-memory state alike.
 */
import { createEngine } from '../../../source/engine/index.js';
import type { Workload } from '../run.js';
import { berthCli, dockerCli, peerAvailable, removeDockerContainers, DOCKER_LABEL } from '../bench-tools.js';
import { containerStore, disposeContainerStore, dockerApi } from '../bench-containers.js';
import { mapLimit } from '../../../source/engine/util/map-limit.js';

const COUNT = 500;

async function berthStopped(root: string): Promise<void> {
  const engine = await createEngine({ root });
  const finishedAt = new Date().toISOString();
  await mapLimit(
    Array.from({ length: COUNT }, (_, i) => i),
    4,
    async (i) => {
      // Named: berth's random names collide now and then when 500 are drawn (it does not redraw).
      const record = await engine.containers.create({
        image: 'busybox',
        command: ['echo', String(i)],
        network: 'none',
        name: `bench-${i}`,
      });
      await engine.containers.store.update(record.id, (current) => ({
        ...current,
        state: { ...current.state, status: 'exited', exitCode: 0, startedAt: finishedAt, finishedAt },
      }));
    },
  );
}

async function dockerCreated(): Promise<void> {
  const [key, value] = DOCKER_LABEL.split('=');
  await mapLimit(
    Array.from({ length: COUNT }, (_, i) => i),
    4,
    async (i) => {
      await dockerApi('POST', '/containers/create', {
        Image: 'busybox',
        Cmd: ['echo', String(i)],
        Labels: { [key ?? 'berth-bench']: value ?? '1' },
        HostConfig: { NetworkMode: 'none' },
      });
    },
  );
}

export const workload: Workload<{ root: string }> = {
  name: `ps -a (${COUNT} stopped)`,
  runs: 7,
  target: 1,
  async setup() {
    const root = await containerStore();
    try {
      await berthStopped(root);
      if (peerAvailable('docker')) await dockerCreated();
    } catch (error) {
      await disposeContainerStore(root);
      await removeDockerContainers();
      throw error;
    }
    return { root };
  },
  async run({ root }) {
    await berthCli(root, ['ps', '-a']);
  },
  async docker() {
    await dockerCli(['ps', '-a']);
  },
  async teardown({ root }) {
    await disposeContainerStore(root);
    await removeDockerContainers();
  },
};
