/**
 * The workload format and its runner: setup → N runs (berth and each available peer interleaved,
 * so a busy neighbour on the shared machine hurts both alike) → teardown, and how a result line
 * is printed. Kept apart from run.ts so workloads can import it without importing the entry point.
 */
import { median, peerAvailable, type PeerName } from './bench-tools.js';

export type { PeerName } from './bench-tools.js';

export type Tool = 'berth' | PeerName;

export interface Workload<S = unknown> {
  name: string;
  /** Timed runs per tool (default 5); the median is reported. */
  runs?: number;
  /** Largest acceptable berth ÷ docker ratio, printed as ok/MISS. */
  target?: number;
  setup(): Promise<S>;
  run(state: S, iteration: number): Promise<void>;
  /** Untimed, after each timed run of any tool (undo what the run made). */
  afterRun?: (state: S, tool: Tool, iteration: number) => Promise<void>;
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
  /** What berthMs/otherMs count when not milliseconds (e.g. 'KB'). */
  unit?: string;
  /** Largest acceptable ratio (berth ÷ other). */
  target?: number;
  /** Largest acceptable berth value, in `unit`. */
  limit?: number;
}

const PEERS: PeerName[] = ['docker', 'skopeo', 'umoci'];

export async function runWorkload<S>(workload: Workload<S>): Promise<BenchLine[]> {
  const runs = workload.runs ?? 5;
  const state = await workload.setup();
  try {
    const peers = PEERS.filter((peer) => workload[peer] && peerAvailable(peer));
    const times = new Map<Tool, number[]>([
      ['berth', []],
      ...peers.map((peer): [Tool, number[]] => [peer, []]),
    ]);
    for (let i = 0; i < runs; i++) {
      for (const tool of times.keys()) {
        const action = tool === 'berth' ? workload.run : workload[tool];
        if (!action) continue;
        const start = performance.now();
        await action(state, i);
        times.get(tool)?.push(performance.now() - start);
        await workload.afterRun?.(state, tool, i);
      }
    }
    const berthMs = Math.round(median(times.get('berth') ?? []));
    const lines: BenchLine[] = peers.map((peer) => {
      const otherMs = Math.round(median(times.get(peer) ?? []));
      return {
        name: workload.name,
        berthMs,
        otherName: peer,
        otherMs,
        ratio: otherMs > 0 ? berthMs / otherMs : undefined,
        target: peer === 'docker' ? workload.target : undefined,
      };
    });
    return lines.length > 0 ? lines : [{ name: workload.name, berthMs }];
  } finally {
    await workload.teardown(state);
  }
}

function verdict(line: BenchLine): string {
  if (line.limit !== undefined)
    return line.berthMs <= line.limit
      ? `ok (≤ ${line.limit} ${line.unit ?? 'ms'})`
      : `MISS (≤ ${line.limit} ${line.unit ?? 'ms'})`;
  if (line.target !== undefined && line.ratio !== undefined) {
    return line.ratio <= line.target ? `ok (≤ ${line.target})` : `MISS (≤ ${line.target})`;
  }
  return '';
}

export function formatLine(line: BenchLine): string {
  const unit = line.unit ?? 'ms';
  const berth = `${line.berthMs} ${unit}`.padStart(11);
  const other =
    line.otherName && line.otherMs !== undefined
      ? `${line.otherName.padEnd(14).slice(0, 26)} ${`${line.otherMs} ${unit}`.padStart(11)}  ${(line.ratio?.toFixed(2) ?? 'n/a').padStart(6)}`
      : ''.padEnd(35);
  return `${line.name.padEnd(34)} ${berth}  ${other}  ${verdict(line)}`.trimEnd();
}

export const HEADER = `${'workload'.padEnd(34)} ${'berth'.padStart(11)}  ${'other'.padEnd(14)} ${'time'.padStart(11)}  ${'ratio'.padStart(6)}  target`;
