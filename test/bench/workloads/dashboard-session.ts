/**
 * Shared by the dashboard-* workloads (not a workload itself): the real `berth` dashboard
 * (node dist/cli/main.js) in a private tmux server, its screen, and /proc readings of its node
 * process. Each session has its own tmux socket, killed by `close()`.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_MAIN } from '../../helpers/cli.js';
import type { BenchLine } from '../workload-runner.js';

let sessions = 0;

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export class DashboardSession {
  private constructor(
    private readonly socket: string,
    /** The dashboard's node process. */
    readonly pid: number,
    /** When tmux was asked to start it (performance.now()). */
    readonly startedAt: number,
  ) {}

  /** Starts `berth --root <root>` on a columns×rows terminal. */
  static async open(root: string, columns = 120, rows = 40): Promise<DashboardSession> {
    const socket = `berth-bench-${process.pid}-${sessions++}`;
    const startedAt = performance.now();
    await execa('tmux', [
      '-L',
      socket,
      'new-session',
      '-d',
      '-s',
      'dash',
      '-x',
      String(columns),
      '-y',
      String(rows),
      `exec node ${CLI_MAIN} --root ${root}`,
    ]);
    const pane = await execa('tmux', ['-L', socket, 'display', '-p', '-t', 'dash', '#{pane_pid}']);
    return new DashboardSession(socket, Number(String(pane.stdout).trim()), startedAt);
  }

  async screen(): Promise<string> {
    const result = await execa('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', 'dash'], {
      reject: false,
    });
    return String(result.stdout ?? '');
  }

  /** Polls the screen every `everyMs` until it matches; returns ms since the session started. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000, everyMs = 10): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    let last = '';
    while (performance.now() < deadline) {
      last = await this.screen();
      if (pattern.test(last)) return performance.now() - this.startedAt;
      await sleep(everyMs);
    }
    throw new Error(`the dashboard never showed ${pattern}:\n${last}`);
  }

  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) {
      await execa('tmux', ['-L', this.socket, 'send-keys', '-t', 'dash', key]);
      await sleep(150);
    }
  }

  /** CPU time used so far (user + system), in clock ticks. */
  async cpuTicks(): Promise<number> {
    const stat = await readFile(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    return Number(fields[11]) + Number(fields[12]);
  }

  async rssKb(): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }

  /** Quits with q, then kills this tmux server (and the dashboard with it) whatever happened. */
  async close(): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'send-keys', '-t', 'dash', 'q'], { reject: false });
    await sleep(300);
    await execa('tmux', ['-L', this.socket, 'kill-server'], { reject: false });
    for (let i = 0; i < 20 && (await alive(this.pid)); i++) await sleep(100);
    if (await alive(this.pid)) process.kill(this.pid, 'SIGKILL');
  }
}

async function alive(pid: number): Promise<boolean> {
  return (await readdir(`/proc/${pid}`).catch(() => undefined)) !== undefined;
}

/** A bench line for a value measured in `unit` (not milliseconds), with its limit. */
export function valueLine(name: string, value: number, unit: string, limit?: number): BenchLine {
  return { name, berthMs: value, unit, ...(limit !== undefined ? { limit } : {}) };
}
