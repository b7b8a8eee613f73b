/**
 * The dashboard's one door into the engine: every engine call the panes make goes through the
 * DashboardEngine this returns. Each domain's mapping lives in adapter/ (containers, logs,
 * images, volumes, prune, exec); this class only routes to them.
 */
import type { BerthEvent, Engine } from '../engine/index.js';
import type {
  ContainerSummary,
  DashboardEngine,
  FollowOptions,
  ImageRow,
  InspectSection,
  LogEvent,
  PruneItem,
  PruneOutcome,
  PrunePreview,
  StatsSample,
  VolumeRow,
} from './dashboard-engine.js';
import { ContainerAdapter } from './adapter/container-adapter.js';
import { attachArgv, execArgv } from './adapter/exec-adapter.js';
import { listImages, removeImage } from './adapter/image-adapter.js';
import { followContainerLogs } from './adapter/log-adapter.js';
import { prune, prunePreview } from './adapter/prune-adapter.js';
import { listVolumes, removeVolume } from './adapter/volume-adapter.js';

export { portsText, summarize } from './adapter/container-adapter.js';

export class EngineAdapter implements DashboardEngine {
  private readonly containers: ContainerAdapter;

  constructor(private readonly engine: Engine) {
    this.containers = new ContainerAdapter(engine);
  }

  get root(): string {
    return this.engine.root;
  }

  listContainers(): Promise<ContainerSummary[]> {
    return this.containers.list();
  }
  containerStats(id: string): Promise<StatsSample> {
    return this.containers.stats(id);
  }
  start(id: string): Promise<void> {
    return this.containers.start(id);
  }
  stop(id: string): Promise<void> {
    return this.containers.stop(id);
  }
  restart(id: string): Promise<void> {
    return this.containers.restart(id);
  }
  pause(id: string): Promise<void> {
    return this.containers.pause(id);
  }
  unpause(id: string): Promise<void> {
    return this.containers.unpause(id);
  }
  kill(id: string): Promise<void> {
    return this.containers.kill(id);
  }
  remove(id: string, options: { force: boolean }): Promise<void> {
    return this.containers.remove(id, options);
  }
  inspect(id: string): Promise<InspectSection[]> {
    return this.containers.inspect(id);
  }

  followLogs(id: string, options: FollowOptions): AsyncIterable<LogEvent> {
    return followContainerLogs(this.engine, id, options);
  }

  listImages(): Promise<ImageRow[]> {
    return listImages(this.engine);
  }
  removeImage(id: string): Promise<void> {
    return removeImage(this.engine, id);
  }

  listVolumes(): Promise<VolumeRow[]> {
    return listVolumes(this.engine);
  }
  removeVolume(name: string): Promise<void> {
    return removeVolume(this.engine, name);
  }

  prunePreview(options: { allImages: boolean }): Promise<PrunePreview> {
    return prunePreview(this.engine, options);
  }
  prune(
    items: PruneItem[],
    onProgress: (done: number, total: number, item: PruneItem) => void,
  ): Promise<PruneOutcome> {
    return prune(this.engine, items, onProgress);
  }

  execArgv(id: string, command: string[]): Promise<string[]> {
    return execArgv(this.engine, id, command);
  }
  attachArgv(id: string): Promise<string[]> {
    return attachArgv(this.engine, id);
  }

  subscribe(onEvents: (events: BerthEvent[]) => void): () => void {
    const controller = new AbortController();
    void this.engine.events.end().then((offset) => {
      if (!controller.signal.aborted) this.engine.events.follow(offset, onEvents, controller.signal);
    });
    return () => controller.abort();
  }
}

export function createEngineAdapter(engine: Engine): DashboardEngine {
  return new EngineAdapter(engine);
}
