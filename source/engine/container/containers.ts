/**
 * The container lifecycle as the engine exposes it (engine.containers): create, start, stop,
 * kill, pause, rm, prune, wait, rename and the monitor's `cleanup`. Every state change happens
 * under the container's lock and appends an event.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventLog } from '../events/index.js';
import { LayerStore } from '../store/layer-store.js';
import { withLock, type StoreLayout } from '../util/index.js';
import { openCgroup, planCgroup, rootfsDirs, unmountRootfs, cliEntryCommand } from '../runtime/index.js';
import { readExitRecord } from '../monitor/monitor-launcher.js';
import { ContainerStateError, NoSuchContainerError } from './container-errors.js';
import { ZERO_TIME, isActive, type ContainerRecord } from './container-record.js';
import { ContainerStore } from './container-store.js';
import { createContainerRecord, validateCreateOptions, type CreateOptions } from './create-container.js';
import type { ImageSource } from './image-source.js';
import { assertStartable, startContainer, type StartOptions } from './container-start.js';
import { isProcessAlive, signalProcess } from './process-wait.js';
import { parseSignal } from './run-options.js';
import { exitedRecord, restartDelayMs, restartDue } from './container-exit.js';
import { setPaused } from './container-pause.js';
import { RunEnding } from './container-end-run.js';
import { BerthError } from '../errors/index.js';
import { anonymousVolumesOf, parseMountRequest, planMounts, type VolumeStore } from '../volume/index.js';
import { unpublishContainerPorts } from '../network/index.js';

const ID = /^[a-f0-9]{64}$/;

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
    readonly volumes: VolumeStore,
    private readonly options: ContainersOptions = {},
  ) {
    this.store = new ContainerStore(layout);
    this.layers = new LayerStore(layout.layers, layout.tmp);
    this.ending = new RunEnding(this.store, (id, runId) => this.cleanup(id, runId));
  }

  private readonly ending: RunEnding;

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
    // Everything that can be refused without touching the store is refused first.
    validateCreateOptions(options);
    const request = parseMountRequest(options.mountFlags ?? {});
    const image = await this.images.resolve(options.image);
    const planned = await planMounts(request, {
      volumes: this.volumes,
      imageVolumes: image.config.Volumes ?? null,
      containerMounts: async (nameOrId) => (await this.get(nameOrId)).mounts ?? [],
    });
    let record: ContainerRecord;
    try {
      record = await createContainerRecord(this.store, options, image, planned.mounts);
    } catch (error) {
      for (const name of planned.createdVolumes) await this.volumes.remove(name).catch(() => undefined);
      throw error;
    }
    await this.event('create', record);
    return record;
  }

  async start(nameOrId: string, options: StartOptions = {}): Promise<ContainerRecord> {
    const found = await this.get(nameOrId);
    const record = await withLock(this.store.lockPath(found.id), async () => {
      const current = await this.get(found.id);
      assertStartable(current);
      const runId = randomBytes(8).toString('hex');
      try {
        const started = await startContainer(
          current,
          {
            containerDir: this.store.dir(current.id),
            lowerDirs: this.layers.lowerDirs(current.chainIds),
            containerPid: async (other) => this.runningPid(other),
            containerDirOf: async (other) => this.store.dir((await this.get(other)).id),
            exitCommand: [
              ...(this.options.cliCommand ?? cliEntryCommand()),
              '--root',
              this.layout.root,
              'container',
              'cleanup',
              current.id,
              '--run',
              runId,
            ],
          },
          options,
        );
        const next: ContainerRecord = {
          ...current,
          manuallyStopped: false,
          cgroup: started.cgroup,
          ports: started.ports,
          state: {
            ...current.state,
            status: 'running',
            pid: started.pid,
            monitorPid: started.monitorPid,
            runId,
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
          state: {
            ...current.state,
            exitCode: failure?.exitCode ?? 125,
            error: error instanceof Error ? error.message : String(error),
          },
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
  async cleanup(nameOrId: string, runId?: string): Promise<void> {
    const id = ID.test(nameOrId) ? nameOrId : (await this.get(nameOrId)).id;
    // A late cleanup of an earlier run, or of one somebody already cleaned up (a `stop`, a
    // foreground `run`), or of a container already removed: nothing of that run is left.
    // Checked under the lock only: the start of this very run may still hold it (a quick
    // container can exit before its start has saved the runId), and read without the lock the
    // run would look stale and never be cleaned up.
    const stale = (current: ContainerRecord): boolean =>
      runId !== undefined && (current.state.runId !== runId || !isActive(current.state.status));
    let died = false;
    const record = await this.store
      .update(id, async (current) => {
        if (stale(current)) return current;
        const exit = await readExitRecord(this.store.dir(current.id));
        let oomKilled = current.state.oomKilled;
        // A start cut short (its CLI killed before it saved the record) has no cgroup recorded: the
        // name is berth's own, so remove it by name rather than leave it behind.
        const cgroup = current.cgroup
          ? openCgroup(current.cgroup.version, current.cgroup.paths)
          : planCgroup(current.id);
        // The monitor reads OOM at the exit (under runc the cgroup is gone by now).
        if (current.cgroup && isActive(current.state.status))
          oomKilled = exit?.oomKilled ?? (await cgroup.oomKilled().catch(() => false));
        await cgroup.remove().catch(() => undefined);
        await unmountRootfs(rootfsDirs(this.store.dir(current.id)));
        // The forwarder ends with the init by itself; stopping it here also frees its ports now.
        await unpublishContainerPorts(this.store.dir(current.id));
        if (!isActive(current.state.status)) return { ...current, cgroup: undefined, ports: undefined };
        died = true;
        return { ...exitedRecord(current, exit, oomKilled), ports: undefined };
      })
      .catch((error: unknown) => {
        if (error instanceof NoSuchContainerError) return undefined; // removed meanwhile
        throw error;
      });
    if (!record || !died) return;
    await this.event('die', record, { exitCode: String(record.state.exitCode) });
    if (record.hostConfig.AutoRemove) {
      // docker's --rm takes the container's anonymous volumes along.
      await this.removeStopped(record, { volumes: true });
      return;
    }
    if (restartDue(record)) await this.restartAfterExit(record);
  }

  /**
   * A foreground client (run, start -a, attach) saw the container exit: it returns only once the
   * record says so, so a `rm` right after never finds it running. Without a restart due, it does
   * the monitor's cleanup itself (quicker than waiting for the monitor's `container cleanup`,
   * which then finds nothing left to do); with one, it waits for the monitor's.
   */
  async settle(nameOrId: string): Promise<ContainerRecord | undefined> {
    const record = await this.store.read((await this.get(nameOrId)).id);
    if (!record) return undefined;
    if (isActive(record.state.status) && record.state.status !== 'restarting') {
      const exit = await readExitRecord(this.store.dir(record.id));
      const exited = { ...record, state: { ...record.state, exitCode: exit?.exitCode ?? 255 } };
      if (exit && !restartDue(exited)) await this.cleanup(record.id, record.state.runId);
      else await this.ending.awaitCleanup(record.id);
    }
    return this.store.read(record.id);
  }

  private async restartAfterExit(record: ContainerRecord): Promise<void> {
    // The container shows as "restarting" during docker's back-off.
    const delay = restartDelayMs(record.restartCount);
    await this.store.update(record.id, (current) => ({
      ...current,
      restartCount: current.restartCount + 1,
      state: { ...current.state, status: 'restarting' },
    }));
    await sleep(delay);
    const current = await this.store.read(record.id);
    if (!current || current.state.status !== 'restarting' || current.manuallyStopped) return;
    await this.store.update(record.id, (latest) => ({
      ...latest,
      state: { ...latest.state, status: 'exited' },
    }));
    await this.start(record.id).catch(() => undefined);
  }

  async stop(nameOrId: string, timeoutSeconds?: number, signal?: string): Promise<ContainerRecord> {
    const record = await this.store.update((await this.get(nameOrId)).id, (current) => ({
      ...current,
      manuallyStopped: true,
    }));
    if (record.state.status === 'restarting') {
      await this.store.update(record.id, (current) => ({
        ...current,
        state: { ...current.state, status: 'exited' },
      }));
      return this.get(record.id);
    }
    if (!isActive(record.state.status)) return record;
    const stopSignal = parseSignal(signal ?? record.config.StopSignal ?? 'SIGTERM');
    const timeout = timeoutSeconds ?? record.config.StopTimeout ?? 10;
    await this.ending.endRun(record, stopSignal, Math.max(0, timeout) * 1000);
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
      throw new ContainerStateError(
        `cannot kill container: ${nameOrId}: container ${record.id} is not running`,
      );
    }
    await this.store.update(record.id, (current) => ({ ...current, manuallyStopped: true }));
    if (name === 'SIGKILL') {
      await this.event('kill', record, { signal: name });
      await this.ending.endRun(record, name, 0);
    } else {
      signalProcess(record.state.pid, name);
      await this.event('kill', record, { signal: name });
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
    const record = await setPaused(this.store, (await this.get(nameOrId)).id, paused);
    await this.event(paused ? 'pause' : 'unpause', record);
    return record;
  }

  /** docker rm: `force` kills a running container first, `volumes` removes its anonymous volumes. */
  async remove(
    nameOrId: string,
    options: { force?: boolean; volumes?: boolean } = {},
  ): Promise<ContainerRecord> {
    const record = await this.get(nameOrId);
    if (isActive(record.state.status)) {
      if (!options.force) {
        throw new ContainerStateError(
          `cannot remove container "/${record.name}": container is ${record.state.status}: stop the container before removing or force remove`,
        );
      }
      await this.store.update(record.id, (current) => ({
        ...current,
        manuallyStopped: true,
        state: {
          ...current.state,
          status: current.state.status === 'restarting' ? 'exited' : current.state.status,
        },
      }));
      if (record.state.pid) await this.ending.endRun(record, 'SIGKILL', 0);
    }
    const current = await this.store.read(record.id);
    if (current) await this.removeStopped(current, { volumes: options.volumes ?? false });
    return record;
  }

  private async removeStopped(record: ContainerRecord, options: { volumes: boolean }): Promise<void> {
    const removed = await withLock(this.store.lockPath(record.id), async () => {
      if (!(await this.store.read(record.id))) return false;
      if (record.cgroup)
        await openCgroup(record.cgroup.version, record.cgroup.paths)
          .remove()
          .catch(() => undefined);
      await unmountRootfs(rootfsDirs(this.store.dir(record.id)));
      await unpublishContainerPorts(this.store.dir(record.id));
      await this.store.removeDir(record.id);
      return true;
    });
    if (!removed) return;
    // After the record is gone, so the volumes are no longer counted as in use by it.
    if (options.volumes) await this.volumes.removeAnonymous(anonymousVolumesOf(record.mounts ?? []));
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
      // Its monitor died without its cleanup (killed, or the CLI it execs failed): do it here,
      // or this would wait forever on a record that never changes.
      const monitor = current.state.monitorPid;
      if (current.state.status !== 'restarting' && monitor && !isProcessAlive(monitor)) {
        if (!isProcessAlive(current.state.pid)) await this.ending.awaitCleanup(current.id);
      }
      await sleep(50);
    }
  }
}
