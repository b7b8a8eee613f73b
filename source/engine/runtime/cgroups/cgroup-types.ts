/** What berth asks of a container's cgroup, whichever version the kernel mounts. */
export interface CgroupLimits {
  /** Bytes (-m). */
  memory?: number;
  /** Bytes of memory+swap (--memory-swap); defaults to `memory` (no swap on top). */
  memorySwap?: number;
  /** CPUs in billionths (--cpus 1.5 → 1.5e9), docker's NanoCpus. */
  nanoCpus?: number;
  /** Relative weight (--cpu-shares), v1 scale 2..262144. */
  cpuShares?: number;
  /** Maximum number of tasks (--pids-limit); <= 0 means unlimited. */
  pidsLimit?: number;
  /** docker's device rules (v1 devices controller only). */
  deviceRules?: { allow: boolean; type?: string; major?: number; minor?: number; access: string }[];
}

export interface CgroupStats {
  /** Total CPU time used, nanoseconds. */
  cpuUsageNs: number;
  memoryUsage: number;
  /** The limit in force (or the machine's memory when unlimited). */
  memoryLimit: number;
  pids: number;
}

export interface Cgroup {
  readonly version: 1 | 2;
  /** Every directory the container's processes join (one per v1 hierarchy; one for v2). */
  readonly paths: string[];
  apply(limits: CgroupLimits): Promise<void>;
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  isFrozen(): Promise<boolean>;
  stats(): Promise<CgroupStats>;
  /** Whether the kernel's OOM killer has killed a task in this cgroup. */
  oomKilled(): Promise<boolean>;
  /** The directory holding the memory controller's files (where OOM kills are counted). */
  memoryDir(): string | undefined;
  /** Pids of all processes inside, host view. */
  pids(): Promise<number[]>;
  /** Kills anything left inside and removes the directories. */
  remove(): Promise<void>;
}

/** docker's conversion of --cpus to a CFS quota over a 100 ms period. */
export const CPU_PERIOD_US = 100_000;

export function cpuQuotaUs(nanoCpus: number): number {
  return Math.round((nanoCpus / 1e9) * CPU_PERIOD_US);
}

/** cgroup v2 weight from v1 shares (the formula runc and the kernel docs use). */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 100;
  return Math.max(1, Math.min(10000, 1 + Math.floor(((shares - 2) * 9999) / 262142)));
}
