/**
 * Leaves nothing behind after a container test, even when the test died half-way (a `run` cut
 * short before it saved the record, a monitor still waiting for its attach client, a `container
 * cleanup` the monitor is about to exec). In order: every process of ours that names this store
 * (CLIs and monitors, by the root in their command line), every port forwarder (forward.pid) and
 * every container process (pid files, records, and whatever sits in the store's cgroups, found by
 * berth's cgroup names wherever they are in each hierarchy) is SIGKILLed by pid; then the cgroups
 * are removed, the mounts under the root unmounted, and the root deleted.
 *
 * It is synchronous so it can also run from a SIGTERM handler: ava kills a worker whose test
 * timed out without running its `after.always` hooks (that is how stores with live monitors,
 * mounts and cgroups were left in /tmp), so `cleanUpOnTermination` covers that case.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Our processes whose command line names the store: the CLIs a test started and the monitors. */
function processesNaming(root: string): number[] {
  return list('/proc')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid)
    .filter((pid) =>
      read(`/proc/${pid}/cmdline`)
        .split('\0')
        .some((arg) => arg === root || arg.startsWith(root + '/')),
    );
}

/** Directories named `names` anywhere in the cgroup hierarchies, a few levels down. */
function cgroupDirs(names: Set<string>): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (names.has(entry.name)) found.push(path);
      else if (depth < 3 && !entry.name.startsWith('berth-')) walk(path, depth + 1);
    }
  };
  for (const hierarchy of list(CGROUP_ROOT)) walk(join(CGROUP_ROOT, hierarchy), 0);
  return found;
}

function killCgroup(path: string): void {
  try {
    writeFileSync(join(path, 'freezer.state'), 'THAWED');
  } catch {
    // Not the freezer hierarchy.
  }
  for (const pid of read(join(path, 'cgroup.procs')).split('\n').filter(Boolean)) kill(Number(pid));
}

export function destroyStoreSync(root: string): void {
  const dir = join(root, 'containers');
  const ids = list(dir).filter((id) => /^[0-9a-f]{64}$/.test(id));
  // Monitors first: killed, they can no longer exec `container cleanup` into a deleted store.
  for (const pid of processesNaming(root)) kill(pid);
  const cgroups = new Set<string>();
  for (const id of ids) {
    let record: Leftover = {};
    try {
      record = JSON.parse(read(join(dir, id, 'container.json')) || '{}') as Leftover;
    } catch {
      // Half-written: the pid files and cgroup names below still find everything.
    }
    for (const pid of [record.state?.pid, record.state?.monitorPid]) if (pid) kill(pid);
    // The port forwarder too: it outlives a monitor killed before it could stop it.
    for (const name of ['monitor.pid', 'pid', 'forward.pid']) {
      const pid = Number.parseInt(read(join(dir, id, name)), 10);
      if (pid > 0) kill(pid);
    }
    for (const path of record.cgroup?.paths ?? []) cgroups.add(path);
  }
  // Containers run by `--runtime runc` also have runc's state (and cgroups) under its own id.
  for (const id of ids.filter((id) => list('/run/runc').includes(id))) {
    try {
      execFileSync('runc', ['delete', '--force', id], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
  for (const path of cgroupDirs(new Set(ids.map((id) => `berth-${id}`)))) cgroups.add(path);
  for (let attempt = 0; attempt < 50 && cgroups.size > 0; attempt++) {
    for (const path of cgroups) {
      killCgroup(path);
      try {
        rmdirSync(path);
        cgroups.delete(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') cgroups.delete(path);
      }
    }
    if (cgroups.size > 0) pause(40);
  }
  const mounts = read('/proc/self/mountinfo')
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
  rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  if (cgroups.size > 0) throw new Error(`cgroups left behind: ${[...cgroups].join(', ')}`);
}

export async function destroyStore(root: string): Promise<void> {
  destroyStoreSync(root);
}

/**
 * Cleans the store up if the worker is terminated (ava's timeout sends SIGTERM and skips the
 * `after.always` hooks). `root` is read when the signal comes.
 */
export function cleanUpOnTermination(root: () => string): void {
  const handler = (signal: NodeJS.Signals): void => {
    try {
      if (root()) destroyStoreSync(root());
    } finally {
      process.kill(process.pid, signal);
    }
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
