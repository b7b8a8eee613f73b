/**
 * What berth keeps per container in <root>/containers/<id>/container.json. Field names follow
 * docker's inspect (Config, HostConfig) where a user may script against them; the rest is berth's.
 */
import type { Digest } from '../util/index.js';
import type { MountPoint } from '../volume/index.js';
import type { PublishedPorts } from '../network/index.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';

export interface ContainerState {
  status: ContainerStatus;
  /** Host pid of the container's init while it runs, else 0. */
  pid: number;
  exitCode: number;
  /** RFC3339; docker's zero time until it happens. */
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  error: string;
  /** The monitor's pid while the container runs. */
  monitorPid?: number;
  /**
   * Names one start of the container; its monitor's `container cleanup --run` carries it, so a
   * late cleanup of an earlier run never touches the run after it.
   */
  runId?: string;
}

/** docker's container Config (the part berth honours). */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Image: string;
  Volumes?: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
}

export interface RestartPolicy {
  Name: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  MaximumRetryCount: number;
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface HostConfig {
  Binds: string[] | null;
  LogConfig: { Type: 'json-file'; Config: Record<string, string> };
  NetworkMode: string;
  PortBindings: Record<string, PortBinding[]>;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  Privileged: boolean;
  SecurityOpt: string[] | null;
  Init: boolean | null;
  Runtime: string;
  Memory: number;
  MemorySwap: number;
  NanoCpus: number;
  CpuShares: number;
  PidsLimit: number | null;
  /** -P; the fields below are absent in records written before ports were wired. */
  PublishAllPorts?: boolean;
  /** --add-host values as given (`name:ip`). */
  ExtraHosts?: string[] | null;
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
}

export interface ContainerRecord {
  id: string;
  /** Without docker's leading slash; inspect adds it. */
  name: string;
  imageId: Digest;
  /** The reference the user gave (normalised), shown by ps. */
  imageRef: string;
  created: string;
  /** The command that runs: entrypoint + cmd, as docker's Path and Args. */
  path: string;
  args: string[];
  state: ContainerState;
  config: ContainerConfig;
  hostConfig: HostConfig;
  restartCount: number;
  /** stop/kill by a user: restart policies other than `always` on daemon start do not apply. */
  manuallyStopped: boolean;
  /** Layers of the image, base first, for the overlay's lowers and for diff/commit. */
  chainIds: Digest[];
  /** Volumes, binds and tmpfs mounts planned at create (see volume/mount-types.ts). */
  mounts?: MountPoint[];
  /** Where the cgroup lives while the container runs (v1: one dir per hierarchy). */
  cgroup?: { version: 1 | 2; paths: string[] };
  /** The ports as the forwarder bound them, while the container runs (NetworkSettings.Ports). */
  ports?: PublishedPorts;
  logPath: string;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function isActive(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}
