/**
 * The one place that decides between cgroup v1 and v2. v2 only when the unified hierarchy is
 * mounted at /sys/fs/cgroup itself (a "hybrid" host with an empty /sys/fs/cgroup/unified, like
 * this one, has its controllers on v1).
 */
import { readFileSync } from 'node:fs';
import { CgroupV1, v1Mounts } from './cgroup-v1.js';
import { CgroupV2, V2_MOUNT } from './cgroup-v2.js';
import type { Cgroup } from './cgroup-types.js';

export * from './cgroup-types.js';
export { CgroupV1 } from './cgroup-v1.js';
export { CgroupV2 } from './cgroup-v2.js';

export function cgroupVersion(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): 1 | 2 {
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    if (right.startsWith('cgroup2 ') && left.split(' ')[4] === V2_MOUNT) return 2;
  }
  return v1Mounts(mountinfo).size > 0 ? 1 : 2;
}

/** The cgroup name berth gives a container; always contains "berth" (cleanup relies on it). */
export function cgroupName(containerId: string): string {
  return `berth-${containerId}`;
}

/** Plans (does not create) the cgroup of a new container. */
export function planCgroup(containerId: string): CgroupV1 | CgroupV2 {
  const name = cgroupName(containerId);
  return cgroupVersion() === 2 ? CgroupV2.plan(name) : CgroupV1.plan(name);
}

/** Reopens a container's cgroup from the paths recorded at start. */
export function openCgroup(version: 1 | 2, paths: string[]): Cgroup {
  return version === 2 ? new CgroupV2(paths) : new CgroupV1(paths);
}
