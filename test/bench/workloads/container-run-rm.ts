/**
 * `run --rm busybox true`: the latency of a whole short container (create, mount, start, exit,
 * clean up, remove), berth's default private network against docker's `--network none` (both a
 * new network namespace with only loopback). Target: at most half of docker's time.
 */
import type { Workload } from '../run.js';
import { DOCKER_RUN, berthCli, dockerCli, peerAvailable, removeDockerContainers } from '../bench-tools.js';
import { containerStore, disposeContainerStore } from '../bench-containers.js';

export const workload: Workload<{ root: string }> = {
  name: 'run --rm busybox true',
  runs: 10,
  target: 0.5,
  async setup() {
    const root = await containerStore();
    // One untimed run each, so neither side pays first-use costs (page cache, layer mounts).
    await berthCli(root, ['run', '--rm', 'busybox', 'true']);
    if (peerAvailable('docker')) await dockerCli(['run', '--rm', ...DOCKER_RUN, 'busybox', 'true']);
    return { root };
  },
  async run({ root }) {
    await berthCli(root, ['run', '--rm', 'busybox', 'true']);
  },
  async docker() {
    await dockerCli(['run', '--rm', ...DOCKER_RUN, 'busybox', 'true']);
  },
  async teardown({ root }) {
    await disposeContainerStore(root);
    await removeDockerContainers();
  },
};
