/** docker's shapes for a container: inspect's JSON and the ps row's status words. */
import { readdir, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ContainerRecord } from './container-record.js';
import { inspectMounts, tmpfsHostConfig } from '../volume/index.js';

/** docker's HostConfig.Tmpfs (omitted when empty, as docker's omitempty does). */
function tmpfsField(record: ContainerRecord): { Tmpfs?: Record<string, string> } {
  const tmpfs = tmpfsHostConfig(record.mounts ?? []);
  return Object.keys(tmpfs).length > 0 ? { Tmpfs: tmpfs } : {};
}

/**
 * Where the container's /etc/hosts, resolv.conf and hostname live: in `container:<id>` mode the
 * other container's (create stores its full id, so only a well-formed id is joined).
 */
function etcFilesDir(record: ContainerRecord, containerDir: string): string {
  const target = /^container:([0-9a-f]{64})$/.exec(record.hostConfig.NetworkMode)?.[1];
  return target ? join(dirname(containerDir), target) : containerDir;
}

export function inspectContainer(record: ContainerRecord, containerDir: string): Record<string, unknown> {
  const { state } = record;
  const etcDir = etcFilesDir(record, containerDir);
  return {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: record.args,
    State: {
      Status: state.status,
      Running: state.status === 'running' || state.status === 'paused',
      Paused: state.status === 'paused',
      Restarting: state.status === 'restarting',
      OOMKilled: state.oomKilled,
      Dead: state.status === 'dead',
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: state.startedAt,
      FinishedAt: state.finishedAt,
    },
    Image: record.imageId,
    ResolvConfPath: join(etcDir, 'resolv.conf'),
    HostnamePath: join(etcDir, 'hostname'),
    HostsPath: join(etcDir, 'hosts'),
    LogPath: record.logPath,
    Name: `/${record.name}`,
    RestartCount: record.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    HostConfig: { ...record.hostConfig, ...tmpfsField(record) },
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        MergedDir: join(containerDir, 'rootfs'),
        UpperDir: join(containerDir, 'diff'),
        WorkDir: join(containerDir, 'work'),
      },
    },
    Mounts: inspectMounts(record.mounts ?? []),
    Config: record.config,
    NetworkSettings: {
      // The host ports as bound (a `-p 80` gets its real port), only while the container runs.
      Ports: record.ports ?? {},
      SandboxKey: state.pid && record.hostConfig.NetworkMode !== 'host' ? `/proc/${state.pid}/ns/net` : '',
      Networks: { [record.hostConfig.NetworkMode]: {} },
    },
  };
}

function since(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 1) return 'Less than a second';
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? 'About a minute' : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return hours === 1 ? 'About an hour' : `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

/** ps STATUS: "Up 3 seconds", "Up 1 minute (Paused)", "Exited (0) 2 seconds ago", "Created". */
export function statusText(record: ContainerRecord, now = Date.now()): string {
  const { state } = record;
  switch (state.status) {
    case 'running':
      return `Up ${since(state.startedAt, now)}`;
    case 'paused':
      return `Up ${since(state.startedAt, now)} (Paused)`;
    case 'restarting':
      return `Restarting (${state.exitCode}) ${since(state.finishedAt, now)} ago`;
    case 'exited':
      return `Exited (${state.exitCode}) ${since(state.finishedAt, now)} ago`;
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

/** ps COMMAND: the command line in quotes, truncated with an ellipsis unless --no-trunc. */
export function commandText(record: ContainerRecord, truncate = true): string {
  const line = [record.path, ...record.args].join(' ');
  const shown = truncate && line.length > 20 ? line.slice(0, 19) + '…' : line;
  return `"${shown}"`;
}

/** Bytes in the container layer (ps -s): regular files' sizes, links not followed. */
export async function layerSize(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await layerSize(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}
