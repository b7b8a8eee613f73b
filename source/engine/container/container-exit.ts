/**
 * What happens to a record when its container's process ends: the exited state (exit code and
 * time from the monitor's `exit` file, OOM), and docker's restart decision and back-off.
 */
import type { ExitRecord } from '../monitor/monitor-launcher.js';
import type { ContainerRecord } from './container-record.js';

/** The record of a container that has just ended (cgroup gone, pids cleared). */
export function exitedRecord(
  current: ContainerRecord,
  exit: ExitRecord | undefined,
  oomKilled: boolean,
): ContainerRecord {
  return {
    ...current,
    cgroup: undefined,
    state: {
      ...current.state,
      status: 'exited',
      pid: 0,
      monitorPid: 0,
      // 255 as docker shows a container whose exit was never recorded (its monitor was killed).
      exitCode: exit?.exitCode ?? 255,
      finishedAt: exit?.finishedAt ?? new Date().toISOString(),
      oomKilled,
    },
  };
}

/** docker's restart policies; a user's stop or kill ends them. */
export function restartDue(record: ContainerRecord): boolean {
  const policy = record.hostConfig.RestartPolicy;
  if (record.manuallyStopped) return false;
  switch (policy.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return (
        record.state.exitCode !== 0 &&
        (policy.MaximumRetryCount === 0 || record.restartCount < policy.MaximumRetryCount)
      );
    default:
      return false;
  }
}

/** docker's back-off before the next restart: 100 ms doubling, capped at 10 s. */
export function restartDelayMs(restartCount: number): number {
  return Math.min(100 * 2 ** restartCount, 10_000);
}
