/**
 * A private dockerd for one bench run, so docker's numbers are measured in the same run as
 * berth's: no bridge, no iptables, its own data-root/exec-root/socket under one temp dir, reached
 * through DOCKER_HOST (every `docker` the workloads run inherits it). Every container the
 * workloads start on it uses `--network none` or `host` and `--pull never` (there is no Docker
 * Hub here). It gets the same busybox image berth's workloads use (berth save → docker load),
 * and is stopped by pid at the end with its shims, mounts and data-root.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { seedBusybox } from '../fixtures/busybox.js';
import { CLI_MAIN } from '../helpers/cli.js';

const run = promisify(execFile);

export interface BenchDocker {
  /** DOCKER_HOST value, e.g. unix:///tmp/berth-dockerd-x/docker.sock */
  host: string;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

function onPath(tool: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${tool}`]).then(
    () => true,
    () => false,
  );
}

/** BERTH_BENCH_DOCKER=0 turns docker off; =1 asks for it; unset: used when dockerd is installed. */
export async function wantDocker(): Promise<boolean> {
  const setting = process.env.BERTH_BENCH_DOCKER;
  if (setting === '0') return false;
  const installed = (await onPath('dockerd')) && (await onPath('docker'));
  if (!installed)
    process.stdout.write(
      '# docker: dockerd/docker not installed (apt-get install docker.io); no docker column\n',
    );
  return installed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Pids whose command line names `dir` (our dockerd's containerd and shims), never any other. */
async function processesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir + '/')) pids.push(Number(entry));
  }
  return pids;
}

/** Mount points under `dir`, deepest first. */
async function mountsUnder(dir: string): Promise<string[]> {
  const mounts = await readFile('/proc/mounts', 'utf8');
  return mounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .map((path) => path.replace(/\\040/g, ' '))
    .filter((path) => path === dir || path.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

async function docker(host: string, args: string[]): Promise<string> {
  const { stdout } = await run('docker', ['-H', host, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function stopDaemon(dir: string, host: string, pid: number): Promise<void> {
  // Containers first, so their shims exit (a shim outlives dockerd by design).
  const ids = (await docker(host, ['ps', '-aq']).catch(() => '')).split('\n').filter(Boolean);
  if (ids.length > 0) await docker(host, ['rm', '-f', ...ids]).catch(() => '');
  if (alive(pid)) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitGone(pid, 20_000))) process.kill(pid, 'SIGKILL');
    await waitGone(pid, 5_000);
  }
  for (const leftover of await processesUnder(dir)) {
    try {
      process.kill(leftover, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const mount of await mountsUnder(dir)) await run('umount', ['-l', mount]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

/** Starts dockerd and loads busybox into it; undefined (with the reason printed) when it cannot run. */
export async function startBenchDocker(): Promise<BenchDocker | undefined> {
  // Short path: the socket path must fit in sun_path (108 bytes).
  const dir = await mkdtemp('/tmp/berth-dockerd-');
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const logPath = join(dir, 'dockerd.log');
  const log = openSync(logPath, 'a');
  const child = spawn(
    'dockerd',
    [
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'docker.pid'),
      '-H',
      host,
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid ?? 0;
  const stop = (): Promise<void> => stopDaemon(dir, host, pid);
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!alive(pid)) throw new Error('dockerd exited');
      const ok = await docker(host, ['info']).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error('dockerd did not answer within 30 s');
      await sleep(200);
    }
    await loadBusybox(dir, host);
  } catch (error) {
    const tail = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-5).join('\n');
    process.stdout.write(
      `# docker: cannot run a private dockerd here (${error instanceof Error ? error.message : String(error)}); continuing without docker\n${tail}\n`,
    );
    await stop();
    return undefined;
  }
  process.env.DOCKER_HOST = host;
  return { host, pid, dir, stop };
}

/** The busybox image berth's workloads seed, saved by berth and loaded into docker. */
async function loadBusybox(dir: string, host: string): Promise<void> {
  const root = join(dir, 'berth-seed');
  await seedBusybox(root);
  const archive = join(dir, 'busybox.tar');
  await run('node', [CLI_MAIN, '--root', root, 'save', '-o', archive, 'busybox:latest']);
  await docker(host, ['load', '-q', '-i', archive]);
  await rm(root, { recursive: true, force: true });
  await rm(archive, { force: true });
}
