/**
 * The dashboard's memory while its Logs pane follows a container printing ~20 000 lines a second
 * for 30 s: the node process's RSS sampled from /proc every second. Targets: under 150 MB at its
 * highest, and flat (the last seconds no more than 15 MB above the first ones). Also reports the
 * rate the container really printed at and the CPU the dashboard spent keeping up.
 */
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { berthCli } from '../bench-tools.js';
import { containerStore, disposeContainerStore } from '../bench-containers.js';
import type { BenchLine } from '../workload-runner.js';
import { CLOCK_TICKS, DashboardSession, valueLine } from './dashboard-session.js';

const SECONDS = 30;
const LINE = 'GET /api/v1/items?page=42 200 1234 bytes in 3 ms';
// 2 000 lines at once, ten times a second: ~20 000 lines/s without a rate limiter in busybox.
const FLOOD = `while :; do yes "${LINE}" | head -n 2000; usleep 100000; done`;

async function logLines(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    let lines = 0;
    const buffer = Buffer.alloc(1 << 20);
    for (let position = 0; ;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return lines;
      for (let at = buffer.indexOf(10, 0); at >= 0 && at < bytesRead; at = buffer.indexOf(10, at + 1))
        lines++;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

export async function run(): Promise<BenchLine[]> {
  const root = await containerStore();
  let session: DashboardSession | undefined;
  try {
    const id = (
      await berthCli(
        root,
        ['run', '-d', '--name', 'flood', '--network', 'none', 'busybox', 'sh', '-c', FLOOD],
        {
          capture: true,
        },
      )
    ).trim();
    const logPath = (
      await berthCli(root, ['inspect', '--format', '{{.LogPath}}', id], { capture: true })
    ).trim();
    session = await DashboardSession.open(root);
    await session.waitFor(/flood\s+busybox/);
    await session.keys('2');
    await session.waitFor(/flood · following/);
    const linesBefore = await logLines(logPath);
    const ticks = await session.cpuTicks();
    const started = performance.now();
    const samples: number[] = [];
    for (let second = 0; second < SECONDS; second++) {
      samples.push((await session.rssKb()) / 1024);
      await sleep(1000 - ((performance.now() - started) % 1000));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = (((await session.cpuTicks()) - ticks) / CLOCK_TICKS / seconds) * 100;
    const rate = ((await logLines(logPath)) - linesBefore) / seconds;
    const average = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const growth = average(samples.slice(-5)) - average(samples.slice(0, 5));
    return [
      valueLine('dashboard log flood: lines printed/s', Math.round(rate), 'lines/s'),
      valueLine(`dashboard log flood: RSS at start`, Math.round(samples[0] ?? 0), 'MB'),
      valueLine(`dashboard log flood: RSS max, ${SECONDS} s`, Math.round(Math.max(...samples)), 'MB', 150),
      valueLine(`dashboard log flood: RSS growth`, Math.round(growth), 'MB', 15),
      valueLine('dashboard log flood: CPU', Math.round(cpu), '%'),
    ];
  } finally {
    await session?.close();
    await disposeContainerStore(root);
  }
}
