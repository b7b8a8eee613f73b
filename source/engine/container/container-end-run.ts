/**
 * How a run ends when berth ends it (stop, kill, rm -f): signal, SIGKILL after the grace period,
 * then the cleanup done here as soon as the monitor reports the exit — or, when the monitor
 * cannot be told, waiting for its own cleanup. Kept apart from the lifecycle verbs it serves.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openCgroup } from '../runtime/index.js';
import { AttachSession, FRAME_CLEANUP_HANDLED, encodeFrame } from '../monitor/attach-client.js';
import { isActive, type ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import { isProcessAlive, signalProcess, waitForExit } from './process-wait.js';

export class RunEnding {
  constructor(
    private readonly store: ContainerStore,
    private readonly cleanup: (id: string, runId?: string) => Promise<void>,
  ) {}

  /** Waits for the monitor's cleanup; does it here when the monitor is gone. */
  async awaitCleanup(id: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await this.store.read(id);
      if (!record || !isActive(record.state.status) || record.state.status === 'restarting') return;
      const monitorGone = !record.state.monitorPid || !isProcessAlive(record.state.monitorPid);
      if (Date.now() > deadline || (monitorGone && !isProcessAlive(record.state.pid))) {
        // Give a just-exited monitor's cleanup a moment before doing it ourselves.
        if (monitorGone) await sleep(200);
        const again = await this.store.read(id);
        if (again && isActive(again.state.status)) await this.cleanup(id);
        return;
      }
      await sleep(20);
    }
  }

  /**
   * Ends a run: `signal`, SIGKILL after `graceMs`, then the cleanup done here as soon as the
   * monitor reports the exit. The monitor is told first (frame "cleanup handled" on its attach
   * socket) so it exits without running its own `container cleanup`; if it cannot be told, its
   * cleanup is awaited as before.
   */
  async endRun(record: ContainerRecord, signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const pid = record.state.pid;
    const session = await this.announceCleanup(record);
    const exited = (ms: number): Promise<boolean> =>
      session
        ? Promise.race([session.ended().then(() => true), sleep(ms, false, { ref: false })])
        : waitForExit(pid, ms);
    signalProcess(pid, signal);
    // A frozen process only takes the signal once thawed.
    if (record.state.status === 'paused' && record.cgroup)
      await openCgroup(record.cgroup.version, record.cgroup.paths).thaw();
    if (signal !== 'SIGKILL' && !(await exited(graceMs))) signalProcess(pid, 'SIGKILL');
    const done = await exited(10_000);
    if (!session) {
      await this.awaitCleanup(record.id);
      return;
    }
    session.close();
    if (!done) await waitForExit(pid, 1000);
    await this.cleanup(record.id, record.state.runId);
  }

  /** Connects to the run's monitor and says this process cleans up after the exit. */
  async announceCleanup(record: ContainerRecord): Promise<AttachSession | undefined> {
    const monitor = record.state.monitorPid;
    if (!record.state.runId || !monitor || !isProcessAlive(monitor) || record.state.status === 'restarting')
      return undefined;
    try {
      const session = await AttachSession.connect(join(this.store.dir(record.id), 'attach.sock'));
      await session.send(encodeFrame(FRAME_CLEANUP_HANDLED));
      return session;
    } catch {
      return undefined;
    }
  }
}
