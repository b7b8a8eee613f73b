/**
 * cgroup v2 (Documentation/admin-guide/cgroup-v2.rst): one directory in the unified hierarchy.
 * Controllers must be enabled in every ancestor's cgroup.subtree_control, and a cgroup with
 * processes cannot delegate them ("no internal processes"), so containers live under a dedicated
 * `berth` cgroup next to the caller's rather than inside it.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { totalmem } from 'node:os';
import {
  CPU_PERIOD_US,
  cpuQuotaUs,
  sharesToWeight,
  type Cgroup,
  type CgroupLimits,
  type CgroupStats,
} from './cgroup-types.js';
import { killAndRemove, parseKeyed, procsOf, readControl, readNumber, writeControl } from './cgroup-files.js';

export const V2_MOUNT = '/sys/fs/cgroup';

export class CgroupV2 implements Cgroup {
  readonly version = 2 as const;

  constructor(readonly paths: string[]) {}

  private get dir(): string {
    return this.paths[0] as string;
  }

  static plan(name: string, mountPoint = V2_MOUNT): CgroupV2 {
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('0::'));
    const own = line ? line.slice(3) : '/';
    // Sibling of our own cgroup: its parent has no processes of ours, so it may delegate.
    const base = own === '/' ? '/' : dirname(own);
    return new CgroupV2([join(mountPoint, base, 'berth', name)]);
  }

  async create(): Promise<void> {
    const wanted = ['cpu', 'memory', 'pids'];
    // Enable controllers top-down from the mount point to the container's parent.
    const parts = this.dir.slice(V2_MOUNT.length).split('/').filter(Boolean);
    let current = V2_MOUNT;
    for (const part of parts) {
      await mkdir(join(current, part), { recursive: true });
      const available = ((await readControl(current, 'cgroup.controllers')) ?? '').split(' ');
      const enable = wanted.filter((controller) => available.includes(controller));
      if (enable.length > 0) {
        await writeControl(current, 'cgroup.subtree_control', enable.map((c) => `+${c}`).join(' ')).catch(
          () => undefined,
        );
      }
      current = join(current, part);
    }
  }

  async apply(limits: CgroupLimits): Promise<void> {
    if (limits.memory !== undefined && limits.memory > 0) {
      await writeControl(this.dir, 'memory.max', limits.memory);
      const swap = limits.memorySwap ?? limits.memory;
      // v2 counts swap separately: memory.swap.max = (memory+swap) - memory.
      const swapMax = swap < 0 ? 'max' : Math.max(0, swap - limits.memory);
      await writeControl(this.dir, 'memory.swap.max', swapMax).catch(() => undefined);
    }
    if (limits.nanoCpus) {
      await writeControl(this.dir, 'cpu.max', `${cpuQuotaUs(limits.nanoCpus)} ${CPU_PERIOD_US}`);
    }
    if (limits.cpuShares) await writeControl(this.dir, 'cpu.weight', sharesToWeight(limits.cpuShares));
    if (limits.pidsLimit !== undefined && limits.pidsLimit > 0) {
      await writeControl(this.dir, 'pids.max', limits.pidsLimit);
    }
    // Device rules need an eBPF program on v2; runc attaches one, the builtin runtime relies on
    // the device nodes it creates.
  }

  private async setFrozen(frozen: boolean): Promise<void> {
    await writeControl(this.dir, 'cgroup.freeze', frozen ? 1 : 0);
    for (let attempt = 0; attempt < 500; attempt++) {
      const events = parseKeyed(await readControl(this.dir, 'cgroup.events'));
      if ((events.get('frozen') ?? 0) === (frozen ? 1 : 0)) return;
      await sleep(10);
    }
  }

  freeze(): Promise<void> {
    return this.setFrozen(true);
  }

  thaw(): Promise<void> {
    return this.setFrozen(false);
  }

  async isFrozen(): Promise<boolean> {
    return (await readControl(this.dir, 'cgroup.freeze')) === '1';
  }

  async stats(): Promise<CgroupStats> {
    const cpu = parseKeyed(await readControl(this.dir, 'cpu.stat'));
    const memoryStat = parseKeyed(await readControl(this.dir, 'memory.stat'));
    const usage = await readNumber(this.dir, 'memory.current');
    let limit = await readNumber(this.dir, 'memory.max');
    if (!Number.isFinite(limit) || limit >= totalmem()) limit = totalmem();
    return {
      cpuUsageNs: (cpu.get('usage_usec') ?? 0) * 1000,
      memoryUsage: Number.isFinite(usage) ? Math.max(0, usage - (memoryStat.get('inactive_file') ?? 0)) : 0,
      memoryLimit: limit,
      pids: (await readNumber(this.dir, 'pids.current')) || 0,
    };
  }

  memoryDir(): string | undefined {
    return this.paths[0];
  }

  async oomKilled(): Promise<boolean> {
    const text = await readFile(join(this.dir, 'memory.events'), 'utf8').catch(() => '');
    return (parseKeyed(text).get('oom_kill') ?? 0) > 0;
  }

  pids(): Promise<number[]> {
    return procsOf(this.dir);
  }

  async remove(): Promise<void> {
    if (!basename(this.dir).includes('berth') && !this.dir.includes('/berth/')) return;
    // cgroup.kill (5.14+) kills the whole subtree at once; fall back to per-pid kills.
    await killAndRemove(this.dir, async () => {
      await writeControl(this.dir, 'cgroup.freeze', 0).catch(() => undefined);
      await writeControl(this.dir, 'cgroup.kill', 1).catch(() => undefined);
    });
  }
}
