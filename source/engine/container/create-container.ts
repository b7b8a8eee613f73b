/**
 * `create`: merges the image's config with the run options into docker's Config/HostConfig and a
 * new record. Everything that can be refused is checked before anything is written.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { capabilityList } from '../runtime/capabilities.js';
import { defaultHosts } from '../runtime/docker-defaults.js';
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
  binds?: string[];
}

function validateSecurityOpts(options: string[]): void {
  for (const option of options) {
    const [key, value] = option.split(/[=:]/, 2);
    if (key === 'no-new-privileges' && (value === undefined || value === 'true' || value === 'false')) continue;
    if ((key === 'seccomp' || key === 'apparmor' || key === 'label') && value !== undefined) continue;
    throw new InvalidArgumentError(`invalid --security-opt: "${option}"`);
  }
}

export function noNewPrivileges(securityOpt: string[] | null): boolean {
  return (securityOpt ?? []).some((option) => option === 'no-new-privileges' || option === 'no-new-privileges:true' || option === 'no-new-privileges=true');
}

function validateNetwork(network: string): void {
  if (['none', 'host', 'private', 'default', 'bridge'].includes(network)) return;
  if (network.startsWith('container:') && network.length > 'container:'.length) return;
  throw new InvalidArgumentError(`network ${network} not found`);
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
    ...(imageConfig.ExposedPorts ? { ExposedPorts: imageConfig.ExposedPorts } : {}),
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
    ...(options.stopSignal ?? imageConfig.StopSignal ? { StopSignal: options.stopSignal ?? imageConfig.StopSignal } : {}),
    ...(options.stopTimeout !== undefined ? { StopTimeout: options.stopTimeout } : {}),
  };
}

function buildHostConfig(options: CreateOptions): HostConfig {
  return {
    Binds: options.binds ?? null,
    LogConfig: { Type: 'json-file', Config: options.logOpts ?? {} },
    NetworkMode: options.network === undefined || options.network === 'default' || options.network === 'bridge' ? 'private' : options.network,
    PortBindings: options.portBindings ?? {},
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
  if (options.network) validateNetwork(options.network);
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

/** Writes the container's own /etc files into its directory (bind-mounted at start). */
async function writeEtcFiles(dir: string, config: ContainerConfig, network: string): Promise<void> {
  const hostsFile = network === 'host' ? await readFile('/etc/hosts', 'utf8').catch(() => defaultHosts(config.Hostname)) : defaultHosts(config.Hostname);
  const resolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => 'nameserver 127.0.0.1\n');
  await Promise.all([
    writeFile(join(dir, 'hostname'), config.Hostname + '\n'),
    writeFile(join(dir, 'hosts'), hostsFile),
    writeFile(join(dir, 'resolv.conf'), resolv),
  ]);
}

export async function createContainerRecord(
  store: ContainerStore,
  options: CreateOptions,
  image: ContainerImage,
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
    logPath: join(dir, `${id}-json.log`),
  };
  await mkdir(dir, { recursive: true });
  try {
    await writeEtcFiles(dir, config, hostConfig.NetworkMode);
    await store.createWithName(record);
  } catch (error) {
    await store.removeDir(id);
    throw error;
  }
  return record;
}
