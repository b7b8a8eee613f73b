/**
 * The life of 50 detached containers, one CLI call at a time as a script would do it: create+start
 * 50 (`run -d busybox sleep 1000`), `ps` with them running, `stop -t 0` of all 50 in one command
 * (busybox sleep as pid 1 ignores SIGTERM, so any other timeout would only measure the wait),
 * `container prune -f`. Rounds alternate berth and docker; each phase reports its median.
 */
import type { BenchLine } from '../run.js';
import {
  DOCKER_RUN,
  berthCli,
  dockerCli,
  median,
  peerAvailable,
  removeDockerContainers,
  timed,
} from '../bench-tools.js';
import { containerStore, disposeContainerStore } from '../bench-containers.js';

const COUNT = 50;
const ROUNDS = 2;
const PS_RUNS = 5;

interface Phases {
  createStart: number[];
  perContainer: number[];
  ps: number[];
  stop: number[];
  prune: number[];
}

type Cli = (args: string[], capture?: boolean) => Promise<string>;

async function round(cli: Cli, runFlags: string[], phases: Phases, label: string): Promise<void> {
  const ids: string[] = [];
  phases.createStart.push(
    await timed(async () => {
      for (let i = 0; i < COUNT; i++) {
        const start = performance.now();
        // Named: berth's random names (2 560 of them, never redrawn) collide within 50 at ~40 %.
        const name = ['--name', `bench-${label}-${i}`];
        ids.push((await cli(['run', '-d', ...name, ...runFlags, 'busybox', 'sleep', '1000'], true)).trim());
        phases.perContainer.push(performance.now() - start);
      }
    }),
  );
  for (let i = 0; i < PS_RUNS; i++) phases.ps.push(await timed(() => cli(['ps'])));
  phases.stop.push(await timed(() => cli(['stop', '-t', '0', ...ids])));
  phases.prune.push(await timed(() => cli(['container', 'prune', '-f'])));
}

const empty = (): Phases => ({ createStart: [], perContainer: [], ps: [], stop: [], prune: [] });

export async function run(): Promise<BenchLine[]> {
  const root = await containerStore();
  const docker = peerAvailable('docker');
  const berth = empty();
  const other = empty();
  try {
    const berthCall: Cli = (args, capture) => berthCli(root, args, { capture });
    const dockerCall: Cli = (args, capture) => dockerCli(args, { capture });
    for (let i = 0; i < ROUNDS; i++) {
      await round(berthCall, [], berth, String(i));
      if (docker) await round(dockerCall, DOCKER_RUN, other, String(i));
    }
  } finally {
    await disposeContainerStore(root);
    await removeDockerContainers();
  }
  const line = (name: string, pick: (phases: Phases) => number[]): BenchLine => {
    const berthMs = Math.round(median(pick(berth)));
    if (!docker) return { name, berthMs };
    const otherMs = Math.round(median(pick(other)));
    return {
      name,
      berthMs,
      otherName: 'docker',
      otherMs,
      ratio: otherMs > 0 ? berthMs / otherMs : undefined,
      target: 1,
    };
  };
  return [
    line(`create+start ${COUNT} detached`, (phases) => phases.createStart),
    line('  run -d (each)', (phases) => phases.perContainer),
    line(`ps with ${COUNT} running`, (phases) => phases.ps),
    line(`stop ${COUNT} (-t 0, one command)`, (phases) => phases.stop),
    line(`container prune (${COUNT} stopped)`, (phases) => phases.prune),
  ];
}
