/**
 * Memory per running container: VmRSS (and Pss, which splits shared pages fairly) of berth's
 * monitor (`berth-runtime monitor`, the parent of the container's init) against docker's
 * per-container shim (containerd-shim-runc-v2, likewise the parent of its init), with 10
 * `sleep 1000` containers each. Target: berth's under 2 MB.
 */
import type { BenchLine } from '../run.js';
import {
  DOCKER_RUN,
  berthCli,
  dockerCli,
  median,
  peerAvailable,
  removeDockerContainers,
} from '../bench-tools.js';
import { containerStore, disposeContainerStore, memoryOf, parentPid } from '../bench-containers.js';

const COUNT = 10;

interface Memory {
  rss: number[];
  pss: number[];
}

async function measure(ids: string[], inspect: (id: string) => Promise<string>): Promise<Memory> {
  const memory: Memory = { rss: [], pss: [] };
  for (const id of ids) {
    const pid = Number((await inspect(id)).trim());
    const { rssKb, pssKb } = await memoryOf(await parentPid(pid));
    memory.rss.push(rssKb);
    memory.pss.push(pssKb);
  }
  return memory;
}

async function start(cli: (args: string[]) => Promise<string>, flags: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    // Named: berth's random names are few enough to collide now and then.
    ids.push(
      (await cli(['run', '-d', '--name', `bench-rss-${i}`, ...flags, 'busybox', 'sleep', '1000'])).trim(),
    );
  }
  return ids;
}

export async function run(): Promise<BenchLine[]> {
  const root = await containerStore();
  try {
    const berthCall = (args: string[]): Promise<string> => berthCli(root, args, { capture: true });
    const berth = await measure(await start(berthCall, []), (id) =>
      berthCall(['inspect', '--format', '{{.State.Pid}}', id]),
    );
    let docker: Memory | undefined;
    if (peerAvailable('docker')) {
      const dockerCall = (args: string[]): Promise<string> => dockerCli(args, { capture: true });
      docker = await measure(await start(dockerCall, DOCKER_RUN), (id) =>
        dockerCall(['inspect', '--format', '{{.State.Pid}}', id]),
      );
    }
    const line = (name: string, pick: (memory: Memory) => number[], limit?: number): BenchLine => {
      const berthKb = Math.round(median(pick(berth)));
      const base: BenchLine = { name, berthMs: berthKb, unit: 'KB', limit };
      if (!docker) return base;
      const otherKb = Math.round(median(pick(docker)));
      return {
        ...base,
        otherName: 'docker shim',
        otherMs: otherKb,
        ratio: otherKb > 0 ? berthKb / otherKb : undefined,
      };
    };
    return [
      line('monitor RSS per container', (memory) => memory.rss, 2048),
      line('monitor PSS per container', (memory) => memory.pss),
    ];
  } finally {
    await disposeContainerStore(root);
    await removeDockerContainers();
  }
}
