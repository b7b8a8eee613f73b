/**
 * A stand-in for a running container's network: a `sleep` in a new network namespace (loopback
 * up) as its "init", and servers started inside it with nsenter. Everything started here is
 * recorded by pid so `killAll` can end exactly that, even when a test fails.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FORWARD_BINARY = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'build',
  'berth-forward',
);

export function assertForwarderBuilt(): void {
  if (!existsSync(FORWARD_BINARY))
    throw new Error(`${FORWARD_BINARY} is missing: run node scripts/build-native.js`);
}

export class ProcessSet {
  readonly pids = new Set<number>();

  add(child: ChildProcess): ChildProcess {
    if (child.pid) this.pids.add(child.pid);
    return child;
  }

  killAll(): void {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.pids.clear();
  }
}

export interface Netns {
  /** The holder's pid: what the forwarder is given as the container's init. */
  pid: number;
  nsPath: string;
}

/** `unshare --net sleep`: unshare execs sleep in place, so the spawned pid is the holder itself. */
export async function createNetns(processes: ProcessSet): Promise<Netns> {
  const child = processes.add(spawn('unshare', ['--net', 'sleep', '1000'], { stdio: 'ignore' }));
  const pid = child.pid as number;
  const own = execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim();
  await waitFor(() => {
    try {
      const link = execFileSync('readlink', [`/proc/${pid}/ns/net`], { encoding: 'utf8' }).trim();
      const exe = execFileSync('readlink', [`/proc/${pid}/exe`], { encoding: 'utf8' }).trim();
      return link !== own && exe.endsWith('sleep') ? true : undefined;
    } catch {
      return undefined;
    }
  });
  execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', 'link', 'set', 'lo', 'up']);
  return { pid, nsPath: `/proc/${pid}/ns/net` };
}

/** Runs a command inside the namespace (nsenter execs it: the pid is the command's own). */
export function spawnInNetns(processes: ProcessSet, netns: Netns, command: string[]): ChildProcess {
  return processes.add(
    spawn('nsenter', ['-t', String(netns.pid), '-n', ...command], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
}

/** Node inside the namespace running `script` (a server); resolves once it prints "ready". */
export async function nodeServerInNetns(
  processes: ProcessSet,
  netns: Netns,
  script: string,
): Promise<ChildProcess> {
  const child = processes.add(
    spawn('nsenter', ['-t', String(netns.pid), '-n', process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server in the namespace exited with ${code}`)));
  });
  return child;
}

/** Waits until something listens on `port` inside the namespace. */
export async function waitForListener(
  netns: Netns,
  port: number,
  protocol: 'tcp' | 'udp' = 'tcp',
): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  await waitFor(async () => {
    const table = await readFile(`/proc/${netns.pid}/net/${protocol}`, 'utf8').catch(() => '');
    return table.includes(`:${hex} `) ? true : undefined;
  });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A host port that is free right now (for tests that need a known number). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Alive and not a zombie (the init here reaps orphans late). */
/** CPU time (user + system) a process has used so far, in ms (USER_HZ is 100 on Linux). */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return stat !== '' && state !== 'Z';
}
