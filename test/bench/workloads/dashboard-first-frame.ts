/**
 * Time to first frame: from starting `berth` (the dashboard) in tmux until the container list is
 * on screen, against a store with two running and one exited container. Includes node's start,
 * loading Ink and React, opening the store and the first list.
 */
import { berthCli } from '../bench-tools.js';
import { containerStore, disposeContainerStore } from '../bench-containers.js';
import type { Workload } from '../workload-runner.js';
import { DashboardSession } from './dashboard-session.js';

interface State {
  root: string;
  /** Open between a timed run and the untimed afterRun that closes it. */
  session?: DashboardSession;
}

async function closeSession(state: State): Promise<void> {
  const session = state.session;
  state.session = undefined;
  await session?.close();
}

export const workload: Workload<State> = {
  name: 'dashboard: time to first frame',
  runs: 7,
  async setup() {
    const root = await containerStore();
    await berthCli(root, ['run', '-d', '--name', 'web', '--network', 'none', 'busybox', 'sleep', '1000']);
    await berthCli(root, ['run', '-d', '--name', 'worker', '--network', 'none', 'busybox', 'sleep', '1000']);
    await berthCli(root, ['run', '--name', 'job', '--network', 'none', 'busybox', 'true']);
    return { root };
  },
  // Timed: starting tmux and the dashboard until the list is on screen (polled every 10 ms);
  // quitting is left to afterRun, which is not timed.
  async run(state) {
    state.session = await DashboardSession.open(state.root);
    // The list is on screen when its rows are: running first, the exited one after.
    await state.session.waitFor(/web\s+busybox[\s\S]*job\s+busybox/);
  },
  afterRun: closeSession,
  async teardown(state) {
    await closeSession(state);
    await disposeContainerStore(state.root);
  },
};
