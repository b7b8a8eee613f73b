/** `stats` and `top`: numbers read from the container's cgroup and /proc, nothing from inside. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { openCgroup, type CgroupStats } from '../runtime/index.js';
import { ContainerStateError } from './container-errors.js';
import type { ContainerRecord } from './container-record.js';

const run = promisify(execFile);

export interface ContainerStats extends CgroupStats {
  id: string;
  name: string;
  /** Percent of one CPU, docker's CPUPerc (200% = two full CPUs). */
  cpuPercent: number;
  memoryPercent: number;
}

/** Two samples `intervalMs` apart give the CPU rate, as docker's first stats frame does. */
export async function sampleStats(record: ContainerRecord, intervalMs = 500): Promise<ContainerStats> {
  if (!record.cgroup || (record.state.status !== 'running' && record.state.status !== 'paused')) {
    return {
      id: record.id,
      name: record.name,
      cpuUsageNs: 0,
      memoryUsage: 0,
      memoryLimit: 0,
      pids: 0,
      cpuPercent: 0,
      memoryPercent: 0,
    };
  }
  const cgroup = openCgroup(record.cgroup.version, record.cgroup.paths);
  const first = await cgroup.stats();
  const started = process.hrtime.bigint();
  await sleep(intervalMs);
  const second = await cgroup.stats();
  const wallNs = Number(process.hrtime.bigint() - started);
  return {
    id: record.id,
    name: record.name,
    ...second,
    cpuPercent: wallNs > 0 ? ((second.cpuUsageNs - first.cpuUsageNs) / wallNs) * 100 : 0,
    memoryPercent: second.memoryLimit > 0 ? (second.memoryUsage / second.memoryLimit) * 100 : 0,
  };
}

/** docker top: `ps -ef` columns for the container's processes (host pids). */
export async function topProcesses(
  record: ContainerRecord,
  psArgs = ['-f'],
): Promise<{ titles: string[]; processes: string[][] }> {
  if (!record.cgroup || (record.state.status !== 'running' && record.state.status !== 'paused')) {
    throw new ContainerStateError(`container ${record.id} is not running`);
  }
  const pids = await openCgroup(record.cgroup.version, record.cgroup.paths).pids();
  const { stdout } = await run('ps', [...psArgs, '-p', pids.join(',') || String(record.state.pid)]);
  const [header = '', ...lines] = stdout.trimEnd().split('\n');
  const titles = header.trim().split(/\s+/);
  const processes = lines.map((line) => {
    const fields = line.trim().split(/\s+/);
    return [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
  });
  return { titles, processes };
}
