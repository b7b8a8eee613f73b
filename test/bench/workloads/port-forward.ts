/**
 * Published ports: the same client against the same servers, once through berth-forward from the
 * host and once directly inside the network namespace (the forwarder's overhead as a ratio; target
 * under 1.5×). Servers: busybox httpd (what a user publishes) and two small Node servers (a byte
 * sink and an echo) for raw throughput and round-trip latency. The client times itself, so process
 * start-up is not counted on either side. The round trips run once more through a second
 * forwarder that never polls (--poll-us 0), and both forwarders' CPU time for them is reported:
 * what the polling buys and what it costs.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePublishSpecs, startForwarder, stopForwarder } from '../../../source/engine/network/index.js';
import {
  ProcessSet,
  cpuTimeMs,
  createNetns,
  nodeServerInNetns,
  spawnInNetns,
  waitForListener,
  type Netns,
} from '../../engine/network/netns-fixture.js';
import type { BenchLine } from '../run.js';

const RUNS = 5;

const SERVERS = `
const net = require('node:net');
net.createServer((s) => { s.on('data', () => {}); s.on('end', () => s.end('ok')); }).listen(7001, '127.0.0.1');
net.createServer((s) => { s.setNoDelay(true); s.pipe(s); }).listen(7002, '127.0.0.1', () => console.log('ready'));`;

const CLIENT = `
const net = require('node:net');
const http = require('node:http');
const cfg = JSON.parse(process.env.BENCH);
const get = (path) => new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port: cfg.port, path, agent: false }, (res) => {
    let n = 0;
    res.on('data', (c) => (n += c.length));
    res.on('end', () => resolve(n));
  }).on('error', reject);
});
async function main() {
  const start = process.hrtime.bigint();
  if (cfg.mode === 'http') {
    let next = 0;
    const worker = async () => { while (next < cfg.count) { next++; await get(cfg.path); } };
    await Promise.all(Array.from({ length: cfg.parallel }, worker));
  } else if (cfg.mode === 'stream') {
    await new Promise((resolve, reject) => {
      const s = net.connect(cfg.port, '127.0.0.1');
      const buf = Buffer.alloc(1 << 20, 7);
      let sent = 0;
      const pump = () => { while (sent < cfg.bytes) { sent += buf.length; if (!s.write(buf)) return s.once('drain', pump); } s.end(); };
      s.on('connect', pump); s.on('data', () => {}); s.on('end', resolve); s.on('error', reject);
    });
  } else {
    await new Promise((resolve, reject) => {
      const s = net.connect(cfg.port, '127.0.0.1');
      s.setNoDelay(true);
      const msg = Buffer.alloc(64, 1);
      let left = cfg.count, got = 0;
      s.on('connect', () => s.write(msg));
      s.on('data', (c) => { got += c.length; while (got >= 64) { got -= 64; if (--left === 0) { s.end(); return resolve(); } s.write(msg); } });
      s.on('error', reject);
    });
  }
  process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));
}
main().catch((e) => { console.error(e); process.exit(1); });`;

interface Case {
  name: string;
  containerPort: number;
  config: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'port http 1 MB x200 (8 conc)',
    containerPort: 80,
    config: { mode: 'http', path: '/big', count: 200, parallel: 8 },
  },
  {
    name: 'port http small GET x300',
    containerPort: 80,
    config: { mode: 'http', path: '/small', count: 300, parallel: 1 },
  },
  {
    name: 'port tcp stream 512 MB',
    containerPort: 7001,
    config: { mode: 'stream', bytes: 512 * 1024 * 1024 },
  },
  { name: 'port tcp round trips x2000', containerPort: 7002, config: { mode: 'pingpong', count: 2000 } },
];

function client(netns: Netns | undefined, config: Record<string, unknown>): Promise<number> {
  const command = netns ? 'nsenter' : process.execPath;
  const args = netns ? ['-t', String(netns.pid), '-n', process.execPath, '-e', CLIENT] : ['-e', CLIENT];
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, BENCH: JSON.stringify(config) } }, (error, stdout) => {
      if (error) reject(error);
      else resolve(Number(stdout));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function run(): Promise<BenchLine[]> {
  const processes = new ProcessSet();
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-ports-'));
  const lines: BenchLine[] = [];
  try {
    await mkdir(join(dir, 'www'));
    await mkdir(join(dir, 'state'));
    await mkdir(join(dir, 'state-no-poll'));
    await writeFile(join(dir, 'www', 'big'), randomBytes(1024 * 1024));
    await writeFile(join(dir, 'www', 'small'), 'hello\n');
    const netns = await createNetns(processes);
    spawnInNetns(processes, netns, ['busybox', 'httpd', '-f', '-p', '127.0.0.1:80', '-h', join(dir, 'www')]);
    await nodeServerInNetns(processes, netns, SERVERS);
    await waitForListener(netns, 80);
    await waitForListener(netns, 7001);
    const started = await startForwarder({
      pid: netns.pid,
      rules: parsePublishSpecs(['80', '7001', '7002']),
      stateDir: join(dir, 'state'),
    });
    processes.pids.add(started.pid);
    const hostPort = new Map(started.bindings.map((binding) => [binding.containerPort, binding.hostPort]));
    const sleeper = await startForwarder({
      pid: netns.pid,
      rules: parsePublishSpecs(['7002']),
      stateDir: join(dir, 'state-no-poll'),
      pollMicroseconds: 0,
    });
    processes.pids.add(sleeper.pid);
    const roundTrips = CASES[CASES.length - 1] as Case;
    const polling: number[] = [];
    const sleeping: number[] = [];
    const pollingCpu: number[] = [];
    const sleepingCpu: number[] = [];
    for (const item of CASES) {
      const forwarded: number[] = [];
      const direct: number[] = [];
      // Interleaved, so a busy neighbour on the shared machine hurts both sides alike.
      for (let i = 0; i < RUNS; i++) {
        const cpuBefore = await cpuTimeMs(started.pid);
        forwarded.push(await client(undefined, { ...item.config, port: hostPort.get(item.containerPort) }));
        direct.push(await client(netns, { ...item.config, port: item.containerPort }));
        if (item !== roundTrips) continue;
        polling.push(forwarded[forwarded.length - 1] as number);
        pollingCpu.push((await cpuTimeMs(started.pid)) - cpuBefore);
        const sleeperBefore = await cpuTimeMs(sleeper.pid);
        sleeping.push(await client(undefined, { ...item.config, port: sleeper.bindings[0]?.hostPort }));
        sleepingCpu.push((await cpuTimeMs(sleeper.pid)) - sleeperBefore);
      }
      const berthMs = Math.round(median(forwarded));
      const otherMs = Math.round(median(direct));
      lines.push({
        name: item.name,
        berthMs,
        otherName: 'direct in netns',
        otherMs,
        ratio: otherMs > 0 ? median(forwarded) / median(direct) : undefined,
      });
    }
    lines.push(
      {
        name: 'port round trips: polling vs not',
        berthMs: Math.round(median(polling)),
        otherName: '--poll-us 0',
        otherMs: Math.round(median(sleeping)),
        ratio: median(polling) / median(sleeping),
      },
      {
        name: 'port round trips: forwarder CPU',
        berthMs: Math.round(median(pollingCpu)),
        otherName: '--poll-us 0',
        otherMs: Math.round(median(sleepingCpu)),
        ratio: median(sleepingCpu) > 0 ? median(pollingCpu) / median(sleepingCpu) : undefined,
      },
    );
    await stopForwarder(join(dir, 'state-no-poll'));
    await stopForwarder(join(dir, 'state'));
  } finally {
    processes.killAll();
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}
