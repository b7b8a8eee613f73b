/**
 * Stores and clean-up for the container workloads: a short-path store seeded with busybox, the
 * docker Engine API over the bench dockerd's socket (for making hundreds of containers fast), and
 * /proc readings (a process's parent and resident memory).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, rmdir } from 'node:fs/promises';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { seedBusybox } from '../fixtures/busybox.js';
import { berthCli } from './bench-tools.js';

const run = promisify(execFile);

/**
 * A store root seeded with busybox. Kept short on purpose: the monitor's attach socket
 * (<root>/containers/<64 hex>/attach.sock) must fit in a unix socket path (108 bytes).
 */
export async function containerStore(): Promise<string> {
  const root = await mkdtemp('/tmp/bbr-');
  await seedBusybox(root);
  return root;
}

async function containerIds(root: string): Promise<string[]> {
  return (await readdir(`${root}/containers`).catch(() => [])).filter((name) => /^[0-9a-f]{64}$/.test(name));
}

/** Pids (not ours) whose command line names `dir`: monitors and containers of that store. */
export async function processesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir + '/')) pids.push(Number(entry));
  }
  return pids;
}

async function mountsUnder(dir: string): Promise<string[]> {
  return (await readFile('/proc/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((path) => path.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

/** cgroup directories named for these containers (berth-<id>), deepest first. */
async function cgroupsFor(ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const wanted = new Set(ids.map((id) => `berth-${id}`));
  const { stdout } = await run(
    'find',
    ['/sys/fs/cgroup', '-maxdepth', '5', '-type', 'd', '-name', 'berth-*'],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .filter((path) => wanted.has(path.split('/').pop() ?? ''))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes the store's running containers through the CLI, then whatever a failure left: processes
 * naming the store (by pid), mounts under it, cgroups of its containers; then the store itself.
 */
export async function disposeContainerStore(root: string): Promise<void> {
  const ids = await containerIds(root);
  // Only running ones hold a mount, a cgroup and a monitor; the rest go with the directory.
  const running = (await berthCli(root, ['ps', '-q', '--no-trunc'], { capture: true }).catch(() => ''))
    .split('\n')
    .filter(Boolean);
  for (let i = 0; i < running.length; i += 100) {
    await berthCli(root, ['rm', '-f', ...running.slice(i, i + 100)]).catch(() => undefined);
  }
  for (const pid of await processesUnder(root)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (const mount of await mountsUnder(root)) await run('umount', ['-l', mount]).catch(() => undefined);
  for (const dir of await cgroupsFor(ids)) await rmdir(dir).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}

/** A process's parent pid, from /proc/<pid>/stat (the field after the parenthesised name). */
export async function parentPid(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** VmRSS and Pss of a process, in KB. */
export async function memoryOf(pid: number): Promise<{ rssKb: number; pssKb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const field = (text: string, name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: field(status, 'VmRSS'), pssKb: field(rollup, 'Pss') };
}

/** One call of the docker Engine API on the bench dockerd's unix socket. */
export function dockerApi(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const socketPath = host.replace(/^unix:\/\//, '');
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            // plain text body
          }
          if ((res.statusCode ?? 500) >= 400)
            reject(new Error(`docker API ${method} ${path}: ${res.statusCode} ${text.trim()}`));
          else resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}
