/**
 * The dashboard at rest: CPU used by its node process over 60 s with 50 running `sleep 1000`
 * busybox containers listed (target: under 2 % of one core), and its RSS at the end. Nothing
 * changes meanwhile, so anything it spends is its own stats sampling, timers and redraws. The
 * measurement starts once the youngest container has been up two minutes: before that its
 * "Up 37 seconds" rightly redraws the screen every few seconds, which is not being idle.
 */
import { berthCli } from '../bench-tools.js';
import { containerStore, disposeContainerStore } from '../bench-containers.js';
import type { BenchLine } from '../workload-runner.js';
import { CLOCK_TICKS, DashboardSession, valueLine } from './dashboard-session.js';

const CONTAINERS = 50;
const IDLE_SECONDS = 60;
/** Uptimes read in minutes from here on ("Up 2 minutes"). */
const SETTLED_MS = 125_000;

export async function run(): Promise<BenchLine[]> {
  const root = await containerStore();
  let session: DashboardSession | undefined;
  try {
    for (let i = 0; i < CONTAINERS; i++) {
      const name = `idle-${String(i).padStart(2, '0')}`;
      await berthCli(root, ['run', '-d', '--name', name, '--network', 'none', 'busybox', 'sleep', '1000']);
    }
    const lastStarted = performance.now();
    session = await DashboardSession.open(root);
    await session.waitFor(/idle-00\s+busybox/);
    // At least 5 s for the first stats rounds and the start-up work to settle.
    const settled = Math.max(5000, SETTLED_MS - (performance.now() - lastStarted));
    await new Promise((resolve) => setTimeout(resolve, settled));
    const ticks = await session.cpuTicks();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    const seconds = (performance.now() - started) / 1000;
    const percent = (((await session.cpuTicks()) - ticks) / CLOCK_TICKS / seconds) * 100;
    const rssMb = (await session.rssKb()) / 1024;
    return [
      valueLine(
        `dashboard idle CPU, ${CONTAINERS} running, ${IDLE_SECONDS} s`,
        Number(percent.toFixed(2)),
        '%',
        2,
      ),
      valueLine(`dashboard idle RSS, ${CONTAINERS} running`, Math.round(rssMb), 'MB'),
    ];
  } finally {
    await session?.close();
    // rm -f of every container (by the store's clean-up), then the store.
    await disposeContainerStore(root);
  }
}
