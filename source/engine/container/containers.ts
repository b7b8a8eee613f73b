/**
 * The container lifecycle as the engine exposes it (engine.containers): create, start, stop,
 * kill, pause, rm, prune, wait, rename and the monitor's `cleanup`. Every state change happens
 * under the container's lock and appends an event.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventLog } from '../events/index.js';
import { LayerStore } from '../store/layer-store.js';
import { withLock, type StoreLayout } from '../util/index.js';
import { openCgroup, rootfsDirs, unmountRootfs, cliEntryCommand } from '../runtime/index.js';
import { readExitRecord } from '../monitor/monitor-launcher.js';
import { ContainerStateError } from './container-errors.js';
import { ZERO_TIME, isActive, type ContainerRecord } from './container-record.js';
import { ContainerStore } from './container-store.js';
import { createContainerRecord, type CreateOptions } from './create-container.js';
import type { ImageSource } from './image-source.js';
import { assertStartable, startContainer, type StartOptions } from './container-start.js';
import { isProcessAlive, signalProcess, waitForExit } from './process-wait.js';
import { parseSignal } from './run-options.js';
import { BerthError } from '../errors/index.js';

export interface ContainersOptions {
  /** argv prefix of the berth CLI, for the monitor's exit command (`… container cleanup <id>`). */
  cliCommand?: string[];
}

export class Containers {
  readonly store: ContainerStore;
  readonly layers: LayerStore;

  constructor(
    readonly layout: StoreLayout,
    readonly events: EventLog,
    readonly images: ImageSource,
    private readonly options: ContainersOptions = {},
  ) {
    this.store = new ContainerStore(layout);
    this.layers = new LayerStore(layout.layers, layout.tmp);
  }

  private event(action: string, record: ContainerRecord, extra: Record<string, string> = {}): Promise<void> {
    return this.events.append({
      kind: 'container',
      action,
      id: record.id,
      attributes: { name: record.name, image: record.imageRef, ...extra },
    });
  }

  get(nameOrId: string): Promise<ContainerRecord> {
    return this.store.resolve(nameOrId);
  }

  list(): Promise<ContainerRecord[]> {
    return this.store.list();
  }

  async create(options: CreateOptions): Promise<ContainerRecord> {
    const image = await this.images.resolve(options.image);
    const record = await createContainerRecord(this.store, options, image);
    await this.event('create', record);
    return record;
  }

  async start(nameOrId: string, options: StartOptions = {}): Promise<ContainerRecord> {
    const found = await this.get(nameOrId);
    const record = await withLock(this.store.lockPath(found.id), async () => {
      const current = await this.get(found.id);
      assertStartable(current);
      try {
        const started = await startContainer(
          current,
          {
            containerDir: this.store.dir(current.id),
            lowerDirs: this.layers.lowerDirs(current.chainIds),
            containerPid: async (other) => this.runningPid(other),
            exitCommand: [...(this.options.cliCommand ?? cliEntryCommand()), '--root', this.layout.root, 'container', 'cleanup', current.id],
          },
          options,
        );
        const next: ContainerRecord = {
          ...current,
          manuallyStopped: false,
          cgroup: started.cgroup,
          state: {
            ...current.state,
            status: 'running',
            pid: started.pid,
            monitorPid: started.monitorPid,
            exitCode: 0,
            error: '',
            oomKilled: false,
            startedAt: new Date().toISOString(),
            finishedAt: ZERO_TIME,
          },
        };
        await this.store.write(next);
        return next;
      } catch (error) {
        const failure = error instanceof BerthError ? error : undefined;
        await this.store.write({
          ...current,
          state: { ...current.state, exitCode: failure?.exitCode ?? 125, error: error instanceof Error ? error.message : String(error) },
        });
        throw error;
      }
    });
    await this.event('start', record);
    return record;
  }

  private async runningPid(nameOrId: string): Promise<number> {
    const other = await this.get(nameOrId);
    if (other.state.status !== 'running' || !isProcessAlive(other.state.pid)) {
      throw new ContainerStateError(`cannot join network of a non running container: ${other.id}`, 125);
    }
    return other.state.pid;
  }

  /**
   * Runs when a container's process has ended (the monitor calls `container cleanup`): records
   * the exit and OOM, unmounts, removes the cgroup, then applies --rm or the restart policy.
   */
  async cleanup(nameOrId: string): Promise<void> {
    const found = await this.get(nameOrId);
    let died = false;
    const record = await this.store.update(found.id, async (current) => {
      const exit = await readExitRecord(this.store.dir(current.id));
      let oomKilled = current.state.oomKilled;
      if (current.cgroup) {
        const cgroup = openCgroup(current.cgroup.version, current.cgroup.paths);
        if (isActive(current.state.status)) oomKilled = await cgroup.oomKilled().catch(() => false);
        await cgroup.remove().catch(() => undefined);
      }
      await unmountRootfs(rootfsDirs(this.store.dir(current.id)));
      if (!isActive(current.state.status)) return { ...current, cgroup: undefined };
      died = true;
      return {
        ...current,
        cgroup: undefined,
        state: {
          ...current.state,
          status: 'exited',
          pid: 0,
          monitorPid: 0,
          exitCode: exit?.exitCode ?? 255,
          finishedAt: exit?.finishedAt ?? new Date().toISOString(),
          oomKilled,
        },
      };
    });
    if (!died) return;
    await this.event('die', record, { exitCode: String(record.state.exitCode) });
    if (record.hostConfig.AutoRemove) {
      await this.removeStopped(record);
      return;
    }
    if (this.shouldRestart(record)) await this.restartAfterExit(record);
  }

  private shouldRestart(record: ContainerRecord): boolean {
    const policy = record.hostConfig.RestartPolicy;
    if (record.manuallyStopped) return false;
    switch (policy.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return record.state.exitCode !== 0 && (policy.MaximumRetryCount === 0 || record.restartCount < policy.MaximumRetryCount);
      default:
        return false;
    }
  }

  private async restartAfterExit(record: ContainerRecord): Promise<void> {
    // docker's back-off: 100 ms doubling, capped; the container shows as "restarting" meanwhile.
    const delay = Math.min(100 * 2 ** record.restartCount, 10_000);
    await this.store.update(record.id, (current) => ({
      ...current,
      restartCount: current.restartCount + 1,
      state: { ...current.state, status: 'restarting' },
    }));
    await sleep(delay);
    const current = await this.store.read(record.id);
    if (!current || current.state.status !== 'restarting' || current.manuallyStopped) return;
    await this.store.update(record.id, (latest) => ({ ...latest, state: { ...latest.state, status: 'exited' } }));
    await this.start(record.id).catch(() => undefined);
  }

  /** Waits for the monitor's cleanup; does it here when the monitor is gone. */
  private async awaitCleanup(id: string, timeoutMs = 15_000): Promise<void> {
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

  async stop(nameOrId: string, timeoutSeconds?: number, signal?: string): Promise<ContainerRecord> {
    const record = await this.store.update((await this.get(nameOrId)).id, (current) => ({ ...current, manuallyStopped: true }));
    if (record.state.status === 'restarting') {
      await this.store.update(record.id, (current) => ({ ...current, state: { ...current.state, status: 'exited' } }));
      return this.get(record.id);
    }
    if (!isActive(record.state.status)) return record;
    const stopSignal = parseSignal(signal ?? record.config.StopSignal ?? 'SIGTERM');
    const timeout = timeoutSeconds ?? record.config.StopTimeout ?? 10;
    const pid = record.state.pid;
    if (record.state.status === 'paused' && record.cgroup) {
      await openCgroup(record.cgroup.version, record.cgroup.paths).thaw();
    }
    signalProcess(pid, stopSignal);
    if (!(await waitForExit(pid, Math.max(0, timeout) * 1000))) {
      signalProcess(pid, 'SIGKILL');
      await waitForExit(pid, 10_000);
    }
    await this.awaitCleanup(record.id);
    await this.event('stop', record);
    return (await this.store.read(record.id)) ?? record;
  }

  async restart(nameOrId: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    const record = await this.stop(nameOrId, timeoutSeconds);
    return this.start(record.id);
  }

  async kill(nameOrId: string, signal = 'SIGKILL'): Promise<ContainerRecord> {
    const record = await this.get(nameOrId);
    const name = parseSignal(signal);
    if (!isActive(record.state.status) || record.state.status === 'restarting') {
      throw new ContainerStateError(`cannot kill container: ${nameOrId}: container ${record.id} is not running`);
    }
    await this.store.update(record.id, (current) => ({ ...current, manuallyStopped: true }));
    signalProcess(record.state.pid, name);
    if (record.state.status === 'paused' && name === 'SIGKILL' && record.cgroup) {
      await openCgroup(record.cgroup.version, record.cgroup.paths).thaw();
    }
    await this.event('kill', record, { signal: name });
    if (name === 'SIGKILL') {
      await waitForExit(record.state.pid, 10_000);
      await this.awaitCleanup(record.id);
    }
    return (await this.store.read(record.id)) ?? record;
  }

  async pause(nameOrId: string): Promise<ContainerRecord> {
    return this.setPaused(nameOrId, true);
  }

  async unpause(nameOrId: string): Promise<ContainerRecord> {
    return this.setPaused(nameOrId, false);
  }

  private async setPaused(nameOrId: string, paused: boolean): Promise<ContainerRecord> {
    const found = await this.get(nameOrId);
    const record = await this.store.update(found.id, async (current) => {
      if (paused && current.state.status === 'paused') throw new ContainerStateError(`container ${current.id} is already paused`);
      if (paused && current.state.status !== 'running') throw new ContainerStateError(`container ${current.id} is not running`);
      if (!paused && current.state.status !== 'paused') throw new ContainerStateError(`container ${current.id} is not paused`);
      if (!current.cgroup) throw new ContainerStateError(`container ${current.id} has no cgroup`);
      const cgroup = openCgroup(current.cgroup.version, current.cgroup.paths);
      if (paused) await cgroup.freeze();
      else await cgroup.thaw();
      return { ...current, state: { ...current.state, status: paused ? 'paused' : 'running' } };
    });
    await this.event(paused ? 'pause' : 'unpause', record);
    return record;
  }

  async remove(nameOrId: string, options: { force?: boolean } = {}): Promise<ContainerRecord> {
    const record = await this.get(nameOrId);
    if (isActive(record.state.status)) {
      if (!options.force) {
        throw new ContainerStateError(
          `cannot remove container "/${record.name}": container is ${record.state.status}: stop the container before removing or force remove`,
        );
      }
      await this.store.update(record.id, (current) => ({ ...current, manuallyStopped: true, state: { ...current.state, status: current.state.status === 'restarting' ? 'exited' : current.state.status } }));
      if (record.state.pid) {
        signalProcess(record.state.pid, 'SIGKILL');
        if (record.state.status === 'paused' && record.cgroup) await openCgroup(record.cgroup.version, record.cgroup.paths).thaw();
        await waitForExit(record.state.pid, 10_000);
        await this.awaitCleanup(record.id);
      }
    }
    const current = await this.store.read(record.id);
    if (current) await this.removeStopped(current);
    return record;
  }

  private async removeStopped(record: ContainerRecord): Promise<void> {
    await withLock(this.store.lockPath(record.id), async () => {
      if (!(await this.store.read(record.id))) return;
      if (record.cgroup) await openCgroup(record.cgroup.version, record.cgroup.paths).remove().catch(() => undefined);
      await unmountRootfs(rootfsDirs(this.store.dir(record.id)));
      await this.store.removeDir(record.id);
    });
    await this.event('destroy', record);
  }

  async rename(nameOrId: string, newName: string): Promise<ContainerRecord> {
    const record = await this.get(nameOrId);
    const renamed = await this.store.rename(record.id, newName.replace(/^\//, ''));
    await this.event('rename', renamed, { oldName: record.name });
    return renamed;
  }

  /** docker wait: blocks until the container is not running, returns its exit code. */
  async wait(nameOrId: string, signal?: AbortSignal): Promise<number> {
    const record = await this.get(nameOrId);
    for (;;) {
      const current = await this.store.read(record.id);
      if (!current) return record.state.exitCode;
      if (!isActive(current.state.status)) return current.state.exitCode;
      if (signal?.aborted) throw new ContainerStateError('wait aborted');
      await sleep(50);
    }
  }
}
