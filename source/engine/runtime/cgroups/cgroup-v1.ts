/**
 * cgroup v1: one directory per hierarchy (memory, cpu, cpuacct, pids, freezer, devices), each
 * created under the hierarchy's path of the process that creates it, so berth stays inside
 * whatever limits its own caller has.
 */
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { totalmem } from 'node:os';
import {
  CPU_PERIOD_US,
  cpuQuotaUs,
  type Cgroup,
  type CgroupLimits,
  type CgroupStats,
} from './cgroup-types.js';
import { killAndRemove, parseKeyed, procsOf, readControl, readNumber, writeControl } from './cgroup-files.js';

export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids', 'freezer', 'devices'] as const;
type Controller = (typeof V1_CONTROLLERS)[number];

/** Mount point of each v1 controller (co-mounted ones share a directory, e.g. cpu,cpuacct). */
let cachedMounts: Map<Controller, string> | undefined;

export function v1Mounts(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): Map<Controller, string> {
  const mounts = new Map<Controller, string>();
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fstype, , superOptions = ''] = right.split(' ');
    if (fstype !== 'cgroup') continue;
    const mountPoint = left.split(' ')[4];
    if (!mountPoint) continue;
    for (const option of superOptions.split(',')) {
      if ((V1_CONTROLLERS as readonly string[]).includes(option) && !mounts.has(option as Controller)) {
        mounts.set(option as Controller, mountPoint);
      }
    }
  }
  return mounts;
}

/** This process's path inside each v1 hierarchy, from /proc/self/cgroup. */
function ownPaths(): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (!controllers || path === undefined) continue;
    for (const controller of controllers.split(',')) paths.set(controller, path);
  }
  return paths;
}

export class CgroupV1 implements Cgroup {
  readonly version = 1 as const;

  constructor(readonly paths: string[]) {}

  /** Directories for a new cgroup named `name` (not created yet). */
  static plan(name: string): CgroupV1 {
    const mounts = v1Mounts();
    const own = ownPaths();
    const dirs = new Set<string>();
    for (const [controller, mountPoint] of mounts) {
      dirs.add(join(mountPoint, own.get(controller) ?? '/', name));
    }
    return new CgroupV1([...dirs]);
  }

  private dir(controller: Controller): string | undefined {
    // Where the controllers are mounted does not change while berth runs; re-reading mountinfo
    // (which grows with every container) on each stats sample was most of the dashboard's idle CPU.
    const mounts = (cachedMounts ??= v1Mounts());
    const mountPoint = mounts.get(controller);
    if (!mountPoint) return undefined;
    return this.paths.find((path) => path.startsWith(mountPoint + '/'));
  }

  async create(): Promise<void> {
    for (const path of this.paths) await mkdir(path, { recursive: true });
  }

  async apply(limits: CgroupLimits): Promise<void> {
    const memory = this.dir('memory');
    if (memory && limits.memory !== undefined && limits.memory > 0) {
      await writeControl(memory, 'memory.limit_in_bytes', limits.memory);
      const swap = limits.memorySwap ?? limits.memory;
      if (swap !== 0) {
        await writeControl(memory, 'memory.memsw.limit_in_bytes', swap < 0 ? -1 : swap).catch(
          () => undefined,
        );
      }
    }
    const cpu = this.dir('cpu');
    if (cpu && limits.nanoCpus) {
      await writeControl(cpu, 'cpu.cfs_period_us', CPU_PERIOD_US);
      await writeControl(cpu, 'cpu.cfs_quota_us', cpuQuotaUs(limits.nanoCpus));
    }
    if (cpu && limits.cpuShares) await writeControl(cpu, 'cpu.shares', limits.cpuShares);
    const pids = this.dir('pids');
    if (pids && limits.pidsLimit !== undefined && limits.pidsLimit > 0) {
      await writeControl(pids, 'pids.max', limits.pidsLimit);
    }
    const devices = this.dir('devices');
    if (devices && limits.deviceRules) {
      for (const rule of limits.deviceRules) {
        const major = rule.major === undefined ? '*' : String(rule.major);
        const minor = rule.minor === undefined ? '*' : String(rule.minor);
        const entry = rule.type === undefined ? 'a' : `${rule.type} ${major}:${minor} ${rule.access}`;
        await writeControl(devices, rule.allow ? 'devices.allow' : 'devices.deny', entry);
      }
    }
  }

  private async setFreezer(state: 'FROZEN' | 'THAWED'): Promise<void> {
    const freezer = this.dir('freezer');
    if (!freezer) throw new Error('the freezer cgroup controller is not mounted');
    await writeControl(freezer, 'freezer.state', state);
    for (let attempt = 0; attempt < 500; attempt++) {
      if ((await readControl(freezer, 'freezer.state')) === state) return;
      await sleep(10);
      // A task in the middle of fork can make FREEZING linger; asking again moves it on.
      if (state === 'FROZEN') await writeControl(freezer, 'freezer.state', state);
    }
  }

  freeze(): Promise<void> {
    return this.setFreezer('FROZEN');
  }

  thaw(): Promise<void> {
    return this.setFreezer('THAWED');
  }

  async isFrozen(): Promise<boolean> {
    const freezer = this.dir('freezer');
    return freezer !== undefined && (await readControl(freezer, 'freezer.state')) !== 'THAWED';
  }

  async stats(): Promise<CgroupStats> {
    const memory = this.dir('memory');
    const cpuacct = this.dir('cpuacct');
    const pids = this.dir('pids');
    const usage = memory ? await readNumber(memory, 'memory.usage_in_bytes') : NaN;
    const inactive = memory
      ? (parseKeyed(await readControl(memory, 'memory.stat')).get('total_inactive_file') ?? 0)
      : 0;
    let limit = memory ? await readNumber(memory, 'memory.limit_in_bytes') : NaN;
    if (!Number.isFinite(limit) || limit >= totalmem()) limit = totalmem();
    return {
      cpuUsageNs: cpuacct ? (await readNumber(cpuacct, 'cpuacct.usage')) || 0 : 0,
      memoryUsage: Number.isFinite(usage) ? Math.max(0, usage - inactive) : 0,
      memoryLimit: limit,
      pids: pids ? (await readNumber(pids, 'pids.current')) || 0 : 0,
    };
  }

  memoryDir(): string | undefined {
    return this.dir('memory');
  }

  async oomKilled(): Promise<boolean> {
    const memory = this.dir('memory');
    if (!memory) return false;
    return (parseKeyed(await readControl(memory, 'memory.oom_control')).get('oom_kill') ?? 0) > 0;
  }

  async pids(): Promise<number[]> {
    const dir = this.dir('pids') ?? this.dir('memory') ?? this.paths[0];
    return dir ? procsOf(dir) : [];
  }

  async remove(): Promise<void> {
    // A frozen cgroup holds its tasks in the kernel: thaw first so SIGKILL can land.
    const thaw = async (): Promise<void> => {
      if (await this.isFrozen()) await this.thaw().catch(() => undefined);
    };
    for (const path of this.paths) {
      if (!basename(path).includes('berth')) continue; // never remove anything berth did not name
      await killAndRemove(path, thaw);
    }
  }
}
