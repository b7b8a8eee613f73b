/**
 * The dashboard's one door into the engine: every engine call the panes make goes through here.
 * The engine's container, image and volume facets are being built alongside the dashboard, so
 * this module describes the part of each facet it uses as a structural type and checks at run
 * time that the facet is there; a missing one raises NOT_READY with what is missing, never data
 * made up to fill the screen.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, type Engine } from '../engine/index.js';
import { readLogs } from '../engine/monitor/index.js';
import { cliEntryCommand, openCgroup, rootfsDirs } from '../engine/runtime/index.js';
import type {
  ContainerStatus,
  ContainerSummary,
  DashboardEngine,
  FollowOptions,
  ImageRow,
  InspectSection,
  LogEvent,
  PruneItem,
  PruneKind,
  PruneOutcome,
  PrunePreview,
  StatsSample,
  VolumeRow,
} from './dashboard-engine.js';

/** The fields of a container record (<root>/containers/<id>/container.json) the dashboard reads. */
interface RecordLike {
  id: string;
  name: string;
  imageId: string;
  imageRef: string;
  created: string;
  path?: string;
  args?: string[];
  logPath?: string;
  state: { status: string; pid: number; exitCode: number; startedAt: string; finishedAt: string };
  config?: {
    Env?: string[];
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Hostname?: string;
    Tty?: boolean;
  };
  hostConfig?: {
    Binds?: string[] | null;
    PortBindings?: PortBindings;
    NetworkMode?: string;
    RestartPolicy?: { Name: string };
    Memory?: number;
    NanoCpus?: number;
  };
  cgroup?: { version: 1 | 2; paths: string[] };
}

interface ContainersFacet {
  list(): Promise<RecordLike[]>;
  get(nameOrId: string): Promise<RecordLike>;
  start(id: string): Promise<unknown>;
  stop(id: string): Promise<unknown>;
  restart(id: string): Promise<unknown>;
  pause(id: string): Promise<unknown>;
  unpause(id: string): Promise<unknown>;
  kill(id: string, signal?: string): Promise<unknown>;
  remove(id: string, options: { force?: boolean }): Promise<unknown>;
  stats?(id: string): Promise<{ cpuUsageNs: number; memoryUsage: number; memoryLimit: number; pids: number }>;
  /** Optional: the engine's own exec/attach command lines, preferred over the CLI's verbs. */
  execArgv?(id: string, command: string[], options: { tty: boolean }): Promise<string[]>;
  attachArgv?(id: string): Promise<string[]>;
}

interface ImagesFacet {
  list(options?: { all?: boolean }): Promise<
    {
      id: string;
      repoTags: string[];
      created: string;
      size: number;
      dangling: boolean;
      intermediate?: boolean;
    }[]
  >;
  remove(nameOrId: string, options?: { force?: boolean }): Promise<unknown>;
}

interface VolumesFacet {
  list(): Promise<{ name: string; size?: number; usedBy?: string[] }[]>;
  remove(name: string): Promise<unknown>;
}

interface BuildCacheFacet {
  cacheUsage(): Promise<{ id: string; size: number; description?: string; inUse?: boolean }[]>;
  pruneCache(ids: string[]): Promise<unknown>;
}

function notReady(what: string): BerthError {
  return new BerthError('NOT_READY', `the dashboard cannot ${what} yet: the engine does not offer it`, 125);
}

function facet<T>(engine: Engine, name: string, methods: string[], what: string): T {
  const value: unknown = (engine as unknown as Record<string, unknown>)[name];
  if (value === null || typeof value !== 'object') throw notReady(what);
  const record = value as Record<string, unknown>;
  for (const method of methods) if (typeof record[method] !== 'function') throw notReady(what);
  return value as T;
}

const CONTAINER_METHODS = ['list', 'get', 'start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove'];

const time = (text: string | undefined): number => {
  const value = text ? Date.parse(text) : NaN;
  // docker's zero time (0001-01-01) means "never".
  return Number.isFinite(value) && value > 0 ? value : 0;
};

const knownStatuses: ContainerStatus[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'exited',
  'dead',
  'removing',
];

type PortBindings = Record<string, { HostIp: string; HostPort: string }[]>;

export function portsText(bindings: PortBindings | undefined): string {
  if (!bindings) return '';
  const parts: string[] = [];
  for (const [containerPort, hosts] of Object.entries(bindings)) {
    for (const host of hosts) parts.push(`${host.HostIp || '0.0.0.0'}:${host.HostPort}->${containerPort}`);
  }
  return parts.join(', ');
}

export function summarize(record: RecordLike): ContainerSummary {
  const status = knownStatuses.find((known) => known === record.state.status) ?? 'dead';
  return {
    id: record.id,
    name: record.name,
    image: record.imageRef,
    imageId: record.imageId,
    status,
    createdMs: time(record.created),
    startedMs: time(record.state.startedAt),
    finishedMs: time(record.state.finishedAt),
    exitCode: record.state.exitCode,
    ports: portsText(record.hostConfig?.PortBindings),
  };
}

/** Bytes under `path`, not crossing into other filesystems (a still-mounted rootfs is not ours). */
async function diskUsage(path: string, device?: number): Promise<number> {
  let info;
  try {
    info = await lstat(path);
  } catch {
    return 0;
  }
  if (device !== undefined && info.dev !== device) return 0;
  if (!info.isDirectory()) return info.blocks * 512;
  let total = info.blocks * 512;
  const entries = await readdir(path).catch(() => [] as string[]);
  for (const entry of entries) total += await diskUsage(join(path, entry), info.dev);
  return total;
}

export class EngineAdapter implements DashboardEngine {
  constructor(private readonly engine: Engine) {}

  get root(): string {
    return this.engine.root;
  }

  private containers(what = 'manage containers'): ContainersFacet {
    return facet<ContainersFacet>(this.engine, 'containers', CONTAINER_METHODS, what);
  }

  private images(what = 'list images'): ImagesFacet {
    return facet<ImagesFacet>(this.engine, 'images', ['list', 'remove'], what);
  }

  private volumes(what = 'list volumes'): VolumesFacet {
    return facet<VolumesFacet>(this.engine, 'volumes', ['list', 'remove'], what);
  }

  async listContainers(): Promise<ContainerSummary[]> {
    return (await this.containers('list containers').list()).map(summarize);
  }

  async containerStats(id: string): Promise<StatsSample> {
    const containers = this.containers('sample stats');
    const now = Date.now();
    if (containers.stats) return { time: now, ...(await containers.stats(id)) };
    // Until the engine has a stats call, read the container's cgroup through the runtime's API.
    const record = await containers.get(id);
    if (!record.cgroup) throw new BerthError('NOT_RUNNING', `container ${record.name} is not running`, 1);
    const stats = await openCgroup(record.cgroup.version, record.cgroup.paths).stats();
    return { time: now, ...stats };
  }

  async start(id: string): Promise<void> {
    await this.containers().start(id);
  }
  async stop(id: string): Promise<void> {
    await this.containers().stop(id);
  }
  async restart(id: string): Promise<void> {
    await this.containers().restart(id);
  }
  async pause(id: string): Promise<void> {
    await this.containers().pause(id);
  }
  async unpause(id: string): Promise<void> {
    await this.containers().unpause(id);
  }
  async kill(id: string): Promise<void> {
    await this.containers().kill(id, 'SIGKILL');
  }
  async remove(id: string, options: { force: boolean }): Promise<void> {
    await this.containers().remove(id, { force: options.force });
  }

  async *followLogs(id: string, options: FollowOptions): AsyncIterable<LogEvent> {
    const containers = this.containers('read logs');
    const record = await containers.get(id);
    const logPath = record.logPath ?? join(this.engine.layout.containers, record.id, 'container.log');
    // Follow even a stopped container until the pane lets go: it may be started again meanwhile.
    const entries = readLogs(logPath, {
      tail: options.tail,
      since: options.sinceMs,
      follow: true,
      isRunning: async () => !options.signal.aborted,
      signal: options.signal,
      pollMs: 150,
    });
    for await (const entry of entries) {
      if (options.signal.aborted) return;
      const text = entry.log.endsWith('\n') ? entry.log.slice(0, -1) : entry.log;
      yield { stream: entry.stream, time: entry.time, text };
    }
  }

  async listImages(): Promise<ImageRow[]> {
    const [images, containers] = await Promise.all([
      this.images().list(),
      this.containers('list containers')
        .list()
        .catch(() => [] as RecordLike[]),
    ]);
    return images.map((image) => ({
      id: image.id,
      repoTags: image.repoTags,
      size: image.size,
      createdMs: time(image.created),
      usedBy: containers
        .filter((container) => container.imageId === image.id)
        .map((container) => container.name),
    }));
  }

  async removeImage(id: string): Promise<void> {
    await this.images('remove images').remove(id);
  }

  async listVolumes(): Promise<VolumeRow[]> {
    return (await this.volumes().list()).map((volume) => ({
      name: volume.name,
      size: volume.size,
      usedBy: volume.usedBy ?? [],
    }));
  }

  async removeVolume(name: string): Promise<void> {
    await this.volumes('remove volumes').remove(name);
  }

  async prunePreview(options: { allImages: boolean }): Promise<PrunePreview> {
    const items: PruneItem[] = [];
    const unavailable: PruneKind[] = [];
    const records = await this.containers('list containers').list();
    for (const record of records) {
      if (
        record.state.status !== 'exited' &&
        record.state.status !== 'created' &&
        record.state.status !== 'dead'
      )
        continue;
      const dir = join(this.engine.layout.containers, record.id);
      // The writable layer and the logs are what removing the container frees.
      const size =
        (await diskUsage(rootfsDirs(dir).upper)) +
        (await diskUsage(record.logPath ?? join(dir, 'container.log')));
      items.push({ kind: 'container', id: record.id, label: record.name, size });
    }
    const pruned = new Set(items.map((item) => item.id));
    // An image stays in use while any container that is not being pruned was made from it.
    const keptImages = new Set(
      records.filter((record) => !pruned.has(record.id)).map((record) => record.imageId),
    );
    try {
      for (const image of await this.images().list()) {
        if (keptImages.has(image.id) || image.intermediate) continue;
        if (!image.dangling && !options.allImages) continue;
        const label = image.repoTags[0] ?? `<none> ${image.id.replace(/^sha256:/, '').slice(0, 12)}`;
        items.push({ kind: 'image', id: image.id, label, size: image.size });
      }
    } catch (error) {
      if (!(error instanceof BerthError && error.code === 'NOT_READY')) throw error;
      unavailable.push('image');
    }
    try {
      for (const volume of await this.volumes().list()) {
        if ((volume.usedBy ?? []).length > 0) continue;
        items.push({ kind: 'volume', id: volume.name, label: volume.name, size: volume.size ?? 0 });
      }
    } catch (error) {
      if (!(error instanceof BerthError && error.code === 'NOT_READY')) throw error;
      unavailable.push('volume');
    }
    try {
      const build = facet<BuildCacheFacet>(
        this.engine,
        'build',
        ['cacheUsage', 'pruneCache'],
        'list build cache',
      );
      for (const entry of await build.cacheUsage()) {
        if (entry.inUse) continue;
        items.push({
          kind: 'build-cache',
          id: entry.id,
          label: entry.description ?? entry.id.slice(0, 12),
          size: entry.size,
        });
      }
    } catch (error) {
      if (!(error instanceof BerthError && error.code === 'NOT_READY')) throw error;
      unavailable.push('build-cache');
    }
    return { items, unavailable };
  }

  async prune(
    items: PruneItem[],
    onProgress: (done: number, total: number, item: PruneItem) => void,
  ): Promise<PruneOutcome> {
    const { layout } = this.engine;
    const measured = [layout.containers, layout.content, layout.layers, layout.volumes];
    const usage = async (): Promise<number> =>
      (await Promise.all(measured.map((dir) => diskUsage(dir)))).reduce((a, b) => a + b, 0);
    const before = await usage();
    const removed: PruneItem[] = [];
    const failures: PruneOutcome['failures'] = [];
    // Containers first: an image is only free once the containers made from it are gone.
    const order: PruneKind[] = ['container', 'image', 'volume', 'build-cache'];
    const sorted = [...items].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
    let done = 0;
    for (const item of sorted) {
      onProgress(done, sorted.length, item);
      try {
        if (item.kind === 'container') {
          const containers = this.containers('remove containers');
          const current = await containers.get(item.id);
          // Never remove what started running since the preview.
          if (['running', 'paused', 'restarting'].includes(current.state.status)) {
            throw new BerthError('IN_USE', `${item.label} is running now; left alone`, 1);
          }
          await containers.remove(item.id, { force: false });
        } else if (item.kind === 'image')
          await this.images('remove images').remove(item.id, { force: false });
        else if (item.kind === 'volume') await this.volumes('remove volumes').remove(item.id);
        else
          await facet<BuildCacheFacet>(this.engine, 'build', ['pruneCache'], 'prune build cache').pruneCache([
            item.id,
          ]);
        removed.push(item);
      } catch (error) {
        failures.push({ item, message: error instanceof Error ? error.message : String(error) });
      }
      done++;
    }
    onProgress(done, sorted.length, sorted.at(-1) ?? { kind: 'container', id: '', label: '', size: 0 });
    return { reclaimed: Math.max(0, before - (await usage())), removed, failures };
  }

  async execArgv(id: string, command: string[]): Promise<string[]> {
    const containers = this.containers('exec into containers');
    const record = await containers.get(id);
    if (record.state.status !== 'running') {
      throw new BerthError('NOT_RUNNING', `container ${record.name} is not running`, 1);
    }
    if (containers.execArgv) return containers.execArgv(record.id, command, { tty: true });
    // The exec runs in its own process under a pty either way; the CLI's verb is that process.
    return [...cliEntryCommand(), '--root', this.engine.root, 'exec', '-it', record.id, ...command];
  }

  async attachArgv(id: string): Promise<string[]> {
    const containers = this.containers('attach to containers');
    const record = await containers.get(id);
    if (record.state.status !== 'running') {
      throw new BerthError('NOT_RUNNING', `container ${record.name} is not running`, 1);
    }
    if (containers.attachArgv) return containers.attachArgv(record.id);
    return [...cliEntryCommand(), '--root', this.engine.root, 'attach', record.id];
  }

  async inspect(id: string): Promise<InspectSection[]> {
    const record = await this.containers('inspect containers').get(id);
    const config = record.config ?? {};
    const host = record.hostConfig ?? {};
    return [
      {
        title: 'Container',
        rows: [
          ['Id', record.id],
          ['Name', record.name],
          ['Image', `${record.imageRef} (${record.imageId.replace(/^sha256:/, '').slice(0, 12)})`],
          ['Command', [record.path ?? '', ...(record.args ?? [])].join(' ').trim()],
          ['Created', record.created],
          ['Status', `${record.state.status} (exit code ${record.state.exitCode})`],
          ['Pid', String(record.state.pid)],
        ],
      },
      {
        title: 'Config',
        rows: [
          ['Entrypoint', (config.Entrypoint ?? []).join(' ')],
          ['Cmd', (config.Cmd ?? []).join(' ')],
          ['WorkingDir', config.WorkingDir ?? ''],
          ['User', config.User ?? ''],
          ['Hostname', config.Hostname ?? ''],
          ['Tty', String(config.Tty ?? false)],
          ['Network', host.NetworkMode ?? ''],
          ['Restart', host.RestartPolicy?.Name ?? ''],
        ],
      },
      {
        title: 'Env',
        rows: (config.Env ?? []).map((entry) => [
          entry.split('=')[0] ?? '',
          entry.slice(entry.indexOf('=') + 1),
        ]),
      },
      {
        title: 'Mounts',
        rows: (host.Binds ?? []).map((bind) => [bind.split(':')[1] ?? bind, bind.split(':')[0] ?? '']),
      },
      {
        title: 'Ports',
        rows: portsText(host.PortBindings)
          .split(', ')
          .filter(Boolean)
          .map((port) => [port, '']),
      },
    ];
  }

  subscribe(onEvents: Parameters<DashboardEngine['subscribe']>[0]): () => void {
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
