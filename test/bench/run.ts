/**
 * `npm run bench`: runs every workload under test/bench/workloads/ (or those whose file name
 * contains one of the words on the command line) and prints the median of N runs for berth and,
 * when installed, for docker / skopeo / umoci doing the same work in the same run, with the ratio
 * (berth ÷ other: below 1 = berth is faster). docker runs on a private dockerd started for the run
 * (docker-daemon.ts; BERTH_BENCH_DOCKER=0 leaves it out).
 *
 * A workload file exports `workload: Workload` (setup → runs, berth and peers interleaved so a
 * busy neighbour on the shared machine hurts both alike → teardown), or
 * `run(): Promise<BenchLine[]>` when it measures itself.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forgetPeers } from './bench-tools.js';
import { HEADER, formatLine, runWorkload, type BenchLine, type Workload } from './workload-runner.js';
import { startBenchDocker, wantDocker, type BenchDocker } from './docker-daemon.js';

export type { PeerName } from './bench-tools.js';
export type { BenchLine, Tool, Workload } from './workload-runner.js';

interface WorkloadModule {
  workload?: Workload;
  run?: () => Promise<BenchLine[]>;
}

async function main(names: string[]): Promise<void> {
  const dir = fileURLToPath(new URL('./workloads/', import.meta.url));
  const files = (await readdir(dir)).filter((file) => file.endsWith('.ts')).sort();
  const chosen = files.filter((file) => names.length === 0 || names.some((name) => file.includes(name)));
  let docker: BenchDocker | undefined;
  const stopDocker = async (): Promise<void> => {
    const running = docker;
    docker = undefined;
    if (running) await running.stop();
  };
  const interrupted = (): void => {
    void stopDocker().finally(() => process.exit(130));
  };
  // Last resort when the run dies without reaching `finally`: dockerd must not outlive it.
  const exiting = (): void => {
    if (!docker) return;
    process.kill(docker.pid, 'SIGTERM');
    process.stderr.write(`bench: stopped dockerd ${docker.pid}; remove ${docker.dir} by hand\n`);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  process.once('exit', exiting);
  const started = performance.now();
  const all: BenchLine[] = [];
  try {
    if (await wantDocker()) {
      docker = await startBenchDocker();
      forgetPeers();
      if (docker) process.stdout.write(`# docker: private dockerd pid ${docker.pid} at ${docker.host}\n`);
    }
    process.stdout.write(`${HEADER}\n`);
    for (const file of chosen) {
      const base = file.replace(/\.ts$/, '');
      const module = (await import(pathToFileURL(join(dir, file)).href)) as WorkloadModule;
      const began = performance.now();
      process.stdout.write(`# ${base}\n`);
      let lines: BenchLine[] = [];
      try {
        lines = module.workload ? await runWorkload(module.workload) : module.run ? await module.run() : [];
      } catch (error) {
        process.stdout.write(
          `# ${base} failed: ${error instanceof Error ? error.message.split('\n').slice(0, 6).join('\n#   ') : String(error)}\n`,
        );
      }
      for (const line of lines) process.stdout.write(formatLine(line) + '\n');
      all.push(...lines);
      process.stdout.write(`#   (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);
    }
  } finally {
    await stopDocker();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    process.off('exit', exiting);
  }
  process.stdout.write(`\n## summary (medians; ratio = berth ÷ other, below 1 = berth faster)\n${HEADER}\n`);
  for (const line of all) process.stdout.write(formatLine(line) + '\n');
  process.stdout.write(`# total ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv.slice(2));
}
