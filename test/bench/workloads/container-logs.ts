/**
 * `logs` of a container that printed 200 000 lines (json-file on both sides), whole and with
 * `--tail 10`, output to /dev/null. Each side's log is checked to hold every line first.
 */
import { runWorkload, type BenchLine, type Workload } from '../workload-runner.js';
import { DOCKER_RUN, berthCli, dockerCli, peerAvailable, removeDockerContainers } from '../bench-tools.js';
import { containerStore, disposeContainerStore } from '../bench-containers.js';

const LINES = 200_000;
const NAME = 'berth-bench-biglog';

interface State {
  root: string;
}

function checkCount(output: string, tool: string): void {
  const count = output.split('\n').filter(Boolean).length;
  if (count !== LINES) throw new Error(`${tool} logs gave ${count} lines, expected ${LINES}`);
}

async function fill(root: string): Promise<void> {
  await berthCli(root, ['run', '--name', NAME, '--network', 'none', 'busybox', 'seq', '1', String(LINES)]);
  checkCount(await berthCli(root, ['logs', NAME], { capture: true }), 'berth');
  if (peerAvailable('docker')) {
    await dockerCli(['run', '--name', NAME, ...DOCKER_RUN, 'busybox', 'seq', '1', String(LINES)]);
    checkCount(await dockerCli(['logs', NAME], { capture: true }), 'docker');
  }
}

function logsWorkload(name: string, args: string[], state: State): Workload<State> {
  return {
    name,
    runs: 7,
    target: 1,
    setup: async () => state,
    async run({ root }) {
      await berthCli(root, ['logs', ...args, NAME]);
    },
    async docker() {
      await dockerCli(['logs', ...args, NAME]);
    },
    teardown: async () => undefined,
  };
}

export async function run(): Promise<BenchLine[]> {
  const state: State = { root: await containerStore() };
  try {
    await fill(state.root);
    return [
      ...(await runWorkload(logsWorkload(`logs (${LINES / 1000}k lines)`, [], state))),
      ...(await runWorkload(logsWorkload('logs --tail 10', ['--tail', '10'], state))),
    ];
  } finally {
    await disposeContainerStore(state.root);
    await removeDockerContainers();
  }
}
