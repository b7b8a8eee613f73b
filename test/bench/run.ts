/**
 * `npm run bench`: runs every workload under test/bench/workloads/ (or those named on the command
 * line) and prints the median of N runs for berth and, when installed, for docker / skopeo /
 * umoci doing the same work in the same run, with the ratio (berth ÷ other: below 1 = faster).
 *
 * A workload file exports `workload: Workload` (setup → run ×N → teardown, peers optional), or
 * `run(): Promise<BenchLine[]>` when it measures itself.
 */
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type PeerName = 'docker' | 'skopeo' | 'umoci';

export interface Workload<S = unknown> {
  name: string;
  /** Timed runs per tool (default 5); the median is reported. */
  runs?: number;
  setup(): Promise<S>;
  run(state: S, iteration: number): Promise<void>;
  teardown(state: S): Promise<void>;
  /** The same work done by another tool, on the state setup made. */
  docker?: (state: S, iteration: number) => Promise<void>;
  skopeo?: (state: S, iteration: number) => Promise<void>;
  umoci?: (state: S, iteration: number) => Promise<void>;
}

export interface BenchLine {
  name: string;
  berthMs: number;
  otherName?: string;
  otherMs?: number;
  ratio?: number;
}

interface WorkloadModule {
  workload?: Workload;
  run?: () => Promise<BenchLine[]>;
}

function available(tool: PeerName): boolean {
  try {
    // docker counts only when a daemon answers (dockerd --bridge=none --iptables=false).
    if (tool === 'docker') execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
    else execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function timeRuns<S>(
  runs: number,
  state: S,
  action: (state: S, i: number) => Promise<void>,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await action(state, i);
    times.push(performance.now() - start);
  }
  return Math.round(median(times));
}

export async function runWorkload(workload: Workload): Promise<BenchLine[]> {
  const runs = workload.runs ?? 5;
  const state = await workload.setup();
  try {
    const berthMs = await timeRuns(runs, state, (s, i) => workload.run(s, i));
    const lines: BenchLine[] = [];
    for (const peer of ['docker', 'skopeo', 'umoci'] as const) {
      const action = workload[peer];
      if (!action || !available(peer)) continue;
      const otherMs = await timeRuns(runs, state, action);
      lines.push({
        name: workload.name,
        berthMs,
        otherName: peer,
        otherMs,
        ratio: otherMs > 0 ? berthMs / otherMs : undefined,
      });
    }
    return lines.length > 0 ? lines : [{ name: workload.name, berthMs }];
  } finally {
    await workload.teardown(state);
  }
}

function print(line: BenchLine): void {
  const other =
    line.otherName && line.otherMs !== undefined
      ? `  ${line.otherName} ${line.otherMs} ms  ratio ${line.ratio?.toFixed(2) ?? 'n/a'}`
      : '';
  process.stdout.write(`${line.name.padEnd(28)} berth ${String(line.berthMs).padStart(6)} ms${other}\n`);
}

async function main(names: string[]): Promise<void> {
  const dir = fileURLToPath(new URL('./workloads/', import.meta.url));
  const files = (await readdir(dir)).filter((file) => file.endsWith('.ts')).sort();
  for (const file of files) {
    const base = file.replace(/\.ts$/, '');
    if (names.length > 0 && !names.some((name) => base.includes(name))) continue;
    const module = (await import(pathToFileURL(join(dir, file)).href)) as WorkloadModule;
    process.stdout.write(`# ${base}\n`);
    const lines = module.workload ? await runWorkload(module.workload) : module.run ? await module.run() : [];
    for (const line of lines) print(line);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv.slice(2));
}
