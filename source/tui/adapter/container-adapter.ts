/**
 * Containers through the engine's `containers` facet: the rows of the Containers pane, the
 * lifecycle keys, stats for the visible rows, and the sections of the Inspect pane.
 */
import { BerthError, type Engine } from '../../engine/index.js';
import type { ContainerRecord } from '../../engine/container/index.js';
import { openCgroup, type Cgroup } from '../../engine/runtime/index.js';
import type { ContainerSummary, InspectSection, StatsSample } from '../dashboard-engine.js';

/** Epoch milliseconds of an RFC3339 time; docker's zero time (0001-01-01) means "never": 0. */
export function epochMs(text: string | undefined): number {
  const value = text ? Date.parse(text) : NaN;
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** docker's PORTS column (`0.0.0.0:8080->80/tcp, …`). */
export function portsText(bindings: ContainerRecord['hostConfig']['PortBindings'] | undefined): string {
  if (!bindings) return '';
  const parts: string[] = [];
  for (const [containerPort, hosts] of Object.entries(bindings)) {
    for (const host of hosts) parts.push(`${host.HostIp || '0.0.0.0'}:${host.HostPort}->${containerPort}`);
  }
  return parts.join(', ');
}

export function summarize(record: ContainerRecord): ContainerSummary {
  return {
    id: record.id,
    name: record.name,
    image: record.imageRef,
    imageId: record.imageId,
    status: record.state.status,
    createdMs: epochMs(record.created),
    startedMs: epochMs(record.state.startedAt),
    finishedMs: epochMs(record.state.finishedAt),
    exitCode: record.state.exitCode,
    ports: portsText(record.hostConfig?.PortBindings),
  };
}

export function notRunning(record: ContainerRecord): BerthError {
  return new BerthError('NOT_RUNNING', `container ${record.name} is not running`, 1);
}

export class ContainerAdapter {
  /**
   * The cgroup of each running container sampled so far: the visible rows are sampled every few
   * seconds, and reading each one's record again every time was a third of an idle dashboard's
   * CPU with fifty containers.
   */
  private readonly cgroups = new Map<string, Cgroup>();

  constructor(private readonly engine: Engine) {}

  async list(): Promise<ContainerSummary[]> {
    const records = await this.engine.containers.list();
    // The list is reloaded on every container event: one that stopped or went away has its
    // cgroup looked up again should it run again.
    const running = new Set(
      records.filter((record) => record.state.status === 'running').map((record) => record.id),
    );
    for (const id of this.cgroups.keys()) if (!running.has(id)) this.cgroups.delete(id);
    return records.map(summarize);
  }

  /** One cgroup reading; the panes turn two of them into a CPU rate. */
  async stats(id: string): Promise<StatsSample> {
    let cgroup = this.cgroups.get(id);
    if (!cgroup) {
      const record = await this.engine.containers.get(id);
      if (!record.cgroup) throw notRunning(record);
      cgroup = openCgroup(record.cgroup.version, record.cgroup.paths);
      this.cgroups.set(record.id, cgroup);
    }
    return { time: Date.now(), ...(await cgroup.stats()) };
  }

  async start(id: string): Promise<void> {
    await this.engine.containers.start(id);
  }
  async stop(id: string): Promise<void> {
    await this.engine.containers.stop(id);
  }
  async restart(id: string): Promise<void> {
    await this.engine.containers.restart(id);
  }
  async pause(id: string): Promise<void> {
    await this.engine.containers.pause(id);
  }
  async unpause(id: string): Promise<void> {
    await this.engine.containers.unpause(id);
  }
  async kill(id: string): Promise<void> {
    await this.engine.containers.kill(id, 'SIGKILL');
  }
  async remove(id: string, options: { force: boolean }): Promise<void> {
    await this.engine.containers.remove(id, { force: options.force });
  }

  async inspect(id: string): Promise<InspectSection[]> {
    return inspectSections(await this.engine.containers.get(id));
  }
}

function mountText(mount: NonNullable<ContainerRecord['mounts']>[number]): string {
  const what =
    mount.Type === 'volume' ? `volume ${mount.Name ?? ''}` : mount.Type === 'bind' ? mount.Source : 'tmpfs';
  return mount.RW ? what : `${what} (ro)`;
}

export function inspectSections(record: ContainerRecord): InspectSection[] {
  const config = record.config;
  const host = record.hostConfig;
  const mounts = (record.mounts ?? []).filter((mount) => !mount.fromTmpfsFlag);
  return [
    {
      title: 'Container',
      rows: [
        ['Id', record.id],
        ['Name', record.name],
        ['Image', `${record.imageRef} (${record.imageId.replace(/^sha256:/, '').slice(0, 12)})`],
        ['Command', [record.path, ...record.args].join(' ').trim()],
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
        ['WorkingDir', config.WorkingDir],
        ['User', config.User],
        ['Hostname', config.Hostname],
        ['Tty', String(config.Tty)],
        ['Network', host.NetworkMode],
        ['Restart', host.RestartPolicy.Name],
      ],
    },
    {
      title: 'Env',
      rows: config.Env.map((entry) => [entry.split('=')[0] ?? '', entry.slice(entry.indexOf('=') + 1)]),
    },
    {
      title: 'Mounts',
      // Records written before mounts were planned only have docker's Binds.
      rows: record.mounts
        ? mounts.map((mount) => [mount.Destination, mountText(mount)])
        : (host.Binds ?? []).map((bind) => [bind.split(':')[1] ?? bind, bind.split(':')[0] ?? '']),
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
