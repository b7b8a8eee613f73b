/**
 * An in-memory DashboardEngine for pane tests: a test double of the dashboard's adapter
 * interface (not of the engine), recording the calls the panes make. The real adapter is
 * exercised end to end in test/e2e/dashboard.test.ts.
 */
import type { BerthEvent } from '../../source/engine/index.js';
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
} from '../../source/tui/dashboard-engine.js';

export function container(
  name: string,
  status: ContainerSummary['status'],
  extra: Partial<ContainerSummary> = {},
): ContainerSummary {
  const now = Date.now();
  return {
    id: (name + '0'.repeat(64)).replace(/[^a-f0-9]/g, 'a').slice(0, 64),
    name,
    image: 'busybox:latest',
    imageId: 'sha256:' + 'b'.repeat(64),
    status,
    createdMs: now - 60_000,
    startedMs: status === 'running' ? now - 30_000 : 0,
    finishedMs: status === 'exited' ? now - 10_000 : 0,
    exitCode: 0,
    ports: '',
    ...extra,
  };
}

export class MemoryEngine implements DashboardEngine {
  readonly root = '/tmp/memory';
  readonly calls: string[] = [];
  containers: ContainerSummary[] = [];
  images: ImageRow[] = [];
  volumes: VolumeRow[] = [];
  preview: PrunePreview = { items: [], problems: [] };
  private listeners = new Set<(events: BerthEvent[]) => void>();
  private logWaiters = new Map<string, ((line: LogEvent) => void)[]>();
  readonly logs = new Map<string, LogEvent[]>();

  emit(event: Omit<BerthEvent, 'time'>): void {
    for (const listener of this.listeners) listener([{ time: Date.now(), ...event }]);
  }

  /** Appends a log line and hands it to anyone following. */
  print(id: string, text: string, stream: LogEvent['stream'] = 'stdout'): void {
    const line = { stream, time: new Date().toISOString(), text };
    this.logs.set(id, [...(this.logs.get(id) ?? []), line]);
    for (const waiter of this.logWaiters.get(id) ?? []) waiter(line);
  }

  async listContainers(): Promise<ContainerSummary[]> {
    return this.containers.map((entry) => ({ ...entry }));
  }
  async containerStats(id: string): Promise<StatsSample> {
    return { time: Date.now(), cpuUsageNs: 0, memoryUsage: id.length * 1000, memoryLimit: 1e9, pids: 1 };
  }
  private setStatus(id: string, status: ContainerSummary['status'], action: string): void {
    this.calls.push(`${action} ${id.slice(0, 4)}`);
    this.containers = this.containers.map((entry) => (entry.id === id ? { ...entry, status } : entry));
    this.emit({ kind: 'container', action, id });
  }
  async start(id: string): Promise<void> {
    this.setStatus(id, 'running', 'start');
  }
  async stop(id: string): Promise<void> {
    this.setStatus(id, 'exited', 'stop');
  }
  async restart(id: string): Promise<void> {
    this.setStatus(id, 'running', 'restart');
  }
  async pause(id: string): Promise<void> {
    this.setStatus(id, 'paused', 'pause');
  }
  async unpause(id: string): Promise<void> {
    this.setStatus(id, 'running', 'unpause');
  }
  async kill(id: string): Promise<void> {
    this.setStatus(id, 'exited', 'kill');
  }
  async remove(id: string, options: { force: boolean }): Promise<void> {
    this.calls.push(`remove ${id.slice(0, 4)}${options.force ? ' force' : ''}`);
    this.containers = this.containers.filter((entry) => entry.id !== id);
    this.emit({ kind: 'container', action: 'destroy', id });
  }
  async *followLogs(id: string, options: FollowOptions): AsyncIterable<LogEvent> {
    const queue: LogEvent[] = [...(this.logs.get(id) ?? [])];
    let wake: (() => void) | undefined;
    const waiter = (line: LogEvent): void => {
      queue.push(line);
      wake?.();
    };
    this.logWaiters.set(id, [...(this.logWaiters.get(id) ?? []), waiter]);
    options.signal.addEventListener('abort', () => wake?.());
    while (!options.signal.aborted) {
      const next = queue.shift();
      if (next) yield next;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  async listImages(): Promise<ImageRow[]> {
    return this.images;
  }
  async removeImage(id: string): Promise<void> {
    this.calls.push(`rmi ${id}`);
  }
  async listVolumes(): Promise<VolumeRow[]> {
    return this.volumes.map((volume) => ({ ...volume }));
  }
  async removeVolume(name: string): Promise<void> {
    this.calls.push(`volume rm ${name}`);
    this.volumes = this.volumes.filter((volume) => volume.name !== name);
    this.emit({ kind: 'volume', action: 'destroy', id: name });
  }
  async prunePreview(): Promise<PrunePreview> {
    return this.preview;
  }
  async prune(
    items: PruneItem[],
    onProgress: (done: number, total: number, item: PruneItem) => void,
  ): Promise<PruneOutcome> {
    items.forEach((item, index) => onProgress(index, items.length, item));
    this.calls.push(`prune ${items.map((item) => item.label).join(',')}`);
    this.preview = { items: this.preview.items.filter((item) => !items.includes(item)), problems: [] };
    return { reclaimed: items.reduce((sum, item) => sum + item.size, 0), removed: items, failures: [] };
  }
  async execArgv(id: string, command: string[]): Promise<string[]> {
    return ['exec', id.slice(0, 4), ...command];
  }
  async attachArgv(id: string): Promise<string[]> {
    return ['attach', id.slice(0, 4)];
  }
  async inspect(id: string): Promise<InspectSection[]> {
    return [{ title: 'Container', rows: [['Id', id]] }];
  }
  subscribe(onEvents: (events: BerthEvent[]) => void): () => void {
    this.listeners.add(onEvents);
    return () => this.listeners.delete(onEvents);
  }
}
