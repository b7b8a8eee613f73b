/**
 * Leaves nothing behind after a container test, even when the test died half-way (a `run` cut
 * short before it saved the record, a monitor still waiting for its attach client, a `container
 * cleanup` the monitor is about to exec). In order: every process of ours that names this store
 * (CLIs and monitors, by the root in their command line) and every container process (pid files,
 * records, and whatever sits in the store's cgroups, found by berth's cgroup names wherever they
 * are in each hierarchy) is SIGKILLed by pid; then the cgroups are removed, the mounts under the
 * root unmounted, and the root deleted.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

interface Leftover {
  state?: { pid?: number; monitorPid?: number };
  cgroup?: { paths: string[] };
}

const CGROUP_ROOT = '/sys/fs/cgroup';

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

async function readPid(path: string): Promise<number> {
  return Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10) || 0;
}

/** Our processes whose command line names the store: the CLIs a test started and the monitors. */
async function processesNaming(root: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').some((arg) => arg === root || arg.startsWith(root + '/'))) pids.push(pid);
  }
  return pids;
}

/** Directories named `names` anywhere in the cgroup hierarchies, a few levels down. */
async function cgroupDirs(names: Set<string>): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (names.has(entry.name)) found.push(path);
      else if (depth < 3 && !entry.name.startsWith('berth-')) await walk(path, depth + 1);
    }
  };
  for (const hierarchy of await readdir(CGROUP_ROOT).catch(() => [] as string[]))
    await walk(join(CGROUP_ROOT, hierarchy), 0);
  return found;
}

async function killCgroup(path: string): Promise<void> {
  await writeFile(join(path, 'freezer.state'), 'THAWED').catch(() => undefined);
  const procs = await readFile(join(path, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const pid of procs.split('\n').filter(Boolean)) kill(Number(pid));
}

export async function destroyStore(root: string): Promise<void> {
  const dir = join(root, 'containers');
  const ids = (await readdir(dir).catch(() => [] as string[])).filter((id) => /^[0-9a-f]{64}$/.test(id));
  // Monitors first: killed, they can no longer exec `container cleanup` into a deleted store.
  for (const pid of await processesNaming(root)) kill(pid);
  const cgroups = new Set<string>();
  for (const id of ids) {
    const record = JSON.parse(
      await readFile(join(dir, id, 'container.json'), 'utf8').catch(() => '{}'),
    ) as Leftover;
    for (const pid of [record.state?.pid, record.state?.monitorPid]) if (pid) kill(pid);
    for (const name of ['monitor.pid', 'pid']) {
      const pid = await readPid(join(dir, id, name));
      if (pid > 0) kill(pid);
    }
    for (const path of record.cgroup?.paths ?? []) cgroups.add(path);
  }
  for (const path of await cgroupDirs(new Set(ids.map((id) => `berth-${id}`)))) cgroups.add(path);
  for (let attempt = 0; attempt < 50 && cgroups.size > 0; attempt++) {
    for (const path of cgroups) {
      await killCgroup(path);
      try {
        await rmdir(path);
        cgroups.delete(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') cgroups.delete(path);
      }
    }
    if (cgroups.size > 0) await sleep(40);
  }
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && point.startsWith(root + '/'));
  for (const point of mounts.reverse()) {
    try {
      execFileSync('umount', [point], { stdio: 'ignore' });
    } catch {
      try {
        execFileSync('umount', ['-l', point], { stdio: 'ignore' });
      } catch {
        // Not mounted any more.
      }
    }
  }
  await rm(root, { recursive: true, force: true, maxRetries: 3 });
  if (cgroups.size > 0) throw new Error(`cgroups left behind: ${[...cgroups].join(', ')}`);
}
