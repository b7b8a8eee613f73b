/**
 * `create`: merges the image's config with the run options into docker's Config/HostConfig and a
 * new record. Everything that can be refused is checked before anything is written.
 */
import { mkdir } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { capabilityList } from '../runtime/capabilities.js';
import { validateRuntimeName, initBinaryPath } from '../runtime/runtime-binaries.js';
import type { ContainerImage } from './image-source.js';
import {
  ZERO_TIME,
  type ContainerConfig,
  type ContainerRecord,
  type HostConfig,
  type PortBinding,
  type RestartPolicy,
} from './container-record.js';
import { NAME_PATTERN, randomName, type ContainerStore } from './container-store.js';
import { parseSignal } from './run-options.js';
import type { MountFlags, MountPoint } from '../volume/index.js';
import {
  checkNetworkOptions,
  exposedPortsOf,
  fromPortBindings,
  networkModeText,
  parseAddHost,
  parseExposeSpecs,
  parseNetworkMode,
  sharesEtcFiles,
  writeEtcFiles,
} from '../network/index.js';

export interface CreateOptions {
  image: string;
  /** Arguments after the image: replace the image's Cmd. */
  command?: string[];
  name?: string;
  env?: string[];
  workdir?: string;
  user?: string;
  /** docker's --entrypoint: one string; "" clears the image's entrypoint. */
  entrypoint?: string;
  hostname?: string;
  labels?: Record<string, string>;
  memory?: number;
  memorySwap?: number;
  nanoCpus?: number;
  cpuShares?: number;
  pidsLimit?: number;
  restart?: RestartPolicy;
  network?: string;
  runtime?: string;
  stopSignal?: string;
  stopTimeout?: number;
  init?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  securityOpt?: string[];
  logOpts?: Record<string, string>;
  tty?: boolean;
  interactive?: boolean;
  autoRemove?: boolean;
  portBindings?: Record<string, PortBinding[]>;
  /** -P: every exposed port to a free host port at start. */
  publishAll?: boolean;
  /** --expose values (`80`, `7000-7002/udp`), added to the image's ExposedPorts. */
  expose?: string[];
  /** --add-host `name:ip` lines for /etc/hosts. */
  addHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  binds?: string[];
  /** -v, --mount, --tmpfs, --volumes-from as given; parsed and planned by Containers.create. */
  mountFlags?: MountFlags;
}

function validateSecurityOpts(options: string[]): void {
  for (const option of options) {
    const [key, value] = option.split(/[=:]/, 2);
    if (key === 'no-new-privileges' && (value === undefined || value === 'true' || value === 'false'))
      continue;
    if ((key === 'seccomp' || key === 'apparmor' || key === 'label') && value !== undefined) continue;
    throw new InvalidArgumentError(`invalid --security-opt: "${option}"`);
  }
}

export function noNewPrivileges(securityOpt: string[] | null): boolean {
  return (securityOpt ?? []).some(
    (option) =>
      option === 'no-new-privileges' ||
      option === 'no-new-privileges:true' ||
      option === 'no-new-privileges=true',
  );
}

/**
 * Refuses what docker refuses with the network mode (`-p` with container:, a bad --add-host, …) and
 * returns its warnings (published ports dropped in host or none mode) for the face to print.
 */
export function networkWarnings(options: CreateOptions): string[] {
  const mode = parseNetworkMode(options.network);
  const publishes = Boolean(options.publishAll) || Object.keys(options.portBindings ?? {}).length > 0;
  const warnings = checkNetworkOptions(mode, {
    publishes,
    exposes: (options.expose?.length ?? 0) > 0,
    addHosts: options.addHosts,
    hostname: options.hostname,
    dns: options.dns,
  });
  for (const host of options.addHosts ?? []) parseAddHost(host, mode);
  parseExposeSpecs(options.expose ?? []);
  fromPortBindings(options.portBindings);
  return warnings;
}

/** The image's EXPOSE, --expose and every -p port (docker adds those), omitted when none. */
function exposedPortsField(
  options: CreateOptions,
  imageExposed: Record<string, object> | null | undefined,
): { ExposedPorts?: Record<string, object> } {
  const exposed = exposedPortsOf(fromPortBindings(options.portBindings), {
    ...(imageExposed ?? {}),
    ...parseExposeSpecs(options.expose ?? []),
  });
  return Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {};
}

function buildConfig(options: CreateOptions, image: ContainerImage, id: string): ContainerConfig {
  const imageConfig = image.config;
  let entrypoint = imageConfig.Entrypoint ?? null;
  let cmd = imageConfig.Cmd ?? null;
  if (options.entrypoint !== undefined) {
    entrypoint = options.entrypoint === '' ? null : [options.entrypoint];
    cmd = null; // docker drops the image's Cmd when --entrypoint is given
  }
  if (options.command && options.command.length > 0) cmd = options.command;
  const networkHost = options.network === 'host';
  return {
    Hostname: options.hostname ?? (networkHost ? hostHostname() : id.slice(0, 12)),
    Domainname: '',
    User: options.user ?? imageConfig.User ?? '',
    AttachStdin: options.interactive ?? false,
    AttachStdout: true,
    AttachStderr: true,
    ...exposedPortsField(options, imageConfig.ExposedPorts),
    Tty: options.tty ?? false,
    OpenStdin: options.interactive ?? false,
    StdinOnce: options.interactive ?? false,
    Env: [...(imageConfig.Env ?? []), ...(options.env ?? [])],
    Cmd: cmd,
    Image: options.image,
    Volumes: imageConfig.Volumes ?? null,
    WorkingDir: options.workdir ?? imageConfig.WorkingDir ?? '',
    Entrypoint: entrypoint,
    Labels: { ...(imageConfig.Labels ?? {}), ...(options.labels ?? {}) },
    ...((options.stopSignal ?? imageConfig.StopSignal)
      ? { StopSignal: options.stopSignal ?? imageConfig.StopSignal }
      : {}),
    ...(options.stopTimeout !== undefined ? { StopTimeout: options.stopTimeout } : {}),
  };
}

function buildHostConfig(options: CreateOptions): HostConfig {
  return {
    Binds: options.binds ?? null,
    LogConfig: { Type: 'json-file', Config: options.logOpts ?? {} },
    NetworkMode: networkModeText(parseNetworkMode(options.network)),
    PortBindings: options.portBindings ?? {},
    PublishAllPorts: options.publishAll ?? false,
    ExtraHosts: options.addHosts?.length ? options.addHosts : null,
    Dns: options.dns ?? [],
    DnsSearch: options.dnsSearch ?? [],
    DnsOptions: options.dnsOptions ?? [],
    RestartPolicy: options.restart ?? { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: options.autoRemove ?? false,
    CapAdd: options.capAdd ?? null,
    CapDrop: options.capDrop ?? null,
    Privileged: options.privileged ?? false,
    SecurityOpt: options.securityOpt ?? null,
    Init: options.init ?? null,
    Runtime: options.runtime ?? 'builtin',
    Memory: options.memory ?? 0,
    MemorySwap: options.memorySwap ?? 0,
    NanoCpus: options.nanoCpus ?? 0,
    CpuShares: options.cpuShares ?? 0,
    PidsLimit: options.pidsLimit ?? null,
  };
}

/** Checks every option that does not depend on the image; throws docker's message. */
export function validateCreateOptions(options: CreateOptions): void {
  if (options.name !== undefined && !NAME_PATTERN.test(options.name)) {
    throw new InvalidArgumentError(
      `Invalid container name (${options.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
    );
  }
  if (options.runtime) validateRuntimeName(options.runtime);
  networkWarnings(options);
  if (options.stopSignal) parseSignal(options.stopSignal);
  capabilityList({ capAdd: options.capAdd, capDrop: options.capDrop });
  validateSecurityOpts(options.securityOpt ?? []);
  if (options.init) initBinaryPath();
  if (options.autoRemove && options.restart && options.restart.Name !== 'no') {
    throw new InvalidArgumentError('Conflicting options: --restart and --rm');
  }
  if (options.memory && options.memorySwap && options.memorySwap > 0 && options.memorySwap < options.memory) {
    throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
}

/**
 * The container's own /etc files (bind-mounted at start), or in container: mode the other
 * container's: that one must exist, is stored by id (a rename does not break the link), and
 * lends its hostname, as docker does.
 */
async function prepareNetwork(
  store: ContainerStore,
  dir: string,
  config: ContainerConfig,
  hostConfig: HostConfig,
): Promise<void> {
  const mode = parseNetworkMode(hostConfig.NetworkMode);
  if (sharesEtcFiles(mode)) {
    const target = await store.resolve(mode.target);
    hostConfig.NetworkMode = networkModeText({ mode: 'container', target: target.id });
    config.Hostname = target.config.Hostname;
    config.Domainname = target.config.Domainname;
    return;
  }
  await writeEtcFiles(dir, mode, {
    hostname: config.Hostname,
    domainname: config.Domainname,
    extraHosts: (hostConfig.ExtraHosts ?? []).map((host) => parseAddHost(host, mode)),
    dns: hostConfig.Dns,
    dnsSearch: hostConfig.DnsSearch,
    dnsOptions: hostConfig.DnsOptions,
  });
}

export async function createContainerRecord(
  store: ContainerStore,
  options: CreateOptions,
  image: ContainerImage,
  mounts: MountPoint[] = [],
): Promise<ContainerRecord> {
  validateCreateOptions(options);
  const id = store.newId();
  const config = buildConfig(options, image, id);
  const hostConfig = buildHostConfig(options);
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (command.length === 0) throw new InvalidArgumentError('no command specified');
  const dir = store.dir(id);
  const record: ContainerRecord = {
    id,
    name: options.name ?? randomName(),
    imageId: image.id,
    imageRef: image.ref,
    created: new Date().toISOString(),
    path: command[0] as string,
    args: command.slice(1),
    state: {
      status: 'created',
      pid: 0,
      exitCode: 0,
      startedAt: ZERO_TIME,
      finishedAt: ZERO_TIME,
      oomKilled: false,
      error: '',
    },
    config,
    hostConfig,
    restartCount: 0,
    manuallyStopped: false,
    chainIds: image.chainIds,
    mounts,
    logPath: join(dir, `${id}-json.log`),
  };
  await mkdir(dir, { recursive: true });
  try {
    await prepareNetwork(store, dir, config, hostConfig);
    return await store.createWithName(record, options.name === undefined);
  } catch (error) {
    await store.removeDir(id);
    throw error;
  }
}
