/**
 * Starting a container: mount its rootfs, make its cgroup, write the bundle's config.json and hand
 * it to a monitor. Anything that fails on the way is undone, so a failed start leaves the
 * container as it was (created or exited), with no mount and no cgroup.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import {
  buildSpec,
  containerEnv,
  builtinRuntimePath,
  initBinaryPath,
  mountRootfs,
  ociRuntimePath,
  planCgroup,
  resolveInRoot,
  resolveUser,
  rootfsDirs,
  unmountRootfs,
  defaultDeviceRules,
  type NetworkMode,
  type OciMount,
  type OciSpec,
} from '../runtime/index.js';
import { startMonitor } from '../monitor/monitor-launcher.js';
import { parseMemory } from './run-options.js';
import { noNewPrivileges } from './create-container.js';
import { ZERO_TIME, type ContainerRecord } from './container-record.js';
import { ociMounts } from '../volume/index.js';
import { ContainerStateError } from './container-errors.js';
import {
  parseNetworkMode,
  publishContainerPorts,
  sharesEtcFiles,
  unpublishContainerPorts,
  type PublishedPorts,
} from '../network/index.js';

export interface StartContext {
  containerDir: string;
  lowerDirs: string[];
  /** Resolves --network container:<name> to that container's init pid. */
  containerPid: (nameOrId: string) => Promise<number>;
  /** That container's directory, whose /etc/hosts, resolv.conf and hostname are shared. */
  containerDirOf?: (nameOrId: string) => Promise<string>;
  exitCommand: string[];
}

export interface StartOptions {
  /** Hold the process until an attach client connects (foreground run / start -a). */
  attachWait?: boolean;
}

async function networkMode(record: ContainerRecord, context: StartContext): Promise<NetworkMode> {
  const mode = record.hostConfig.NetworkMode;
  if (mode === 'host') return { mode: 'host' };
  if (mode === 'none') return { mode: 'none' };
  if (mode.startsWith('container:')) {
    const pid = await context.containerPid(mode.slice('container:'.length));
    return { mode: 'container', nsPath: `/proc/${pid}/ns/net` };
  }
  return { mode: 'private' };
}

export function isOciRuntime(record: ContainerRecord): boolean {
  return record.hostConfig.Runtime !== 'builtin' && record.hostConfig.Runtime !== '';
}

/** The spec for this container, with user and cwd resolved inside its (mounted) rootfs. */
export async function specFor(
  record: ContainerRecord,
  rootfs: string,
  cgroupsPath: string,
  network: NetworkMode,
  /** Where hosts, resolv.conf and hostname come from: another container's in container: mode. */
  etcDir = join(rootfs, '..'),
): Promise<OciSpec> {
  const { config, hostConfig } = record;
  const user = await resolveUser(rootfs, config.User);
  const cwd = config.WorkingDir || '/';
  // docker creates a missing WORKDIR; do it inside the root, never through a link out of it.
  await mkdir(await resolveInRoot(rootfs, cwd), { recursive: true });
  const env = containerEnv(config.Env, [], config.Hostname, config.Tty);
  if (!env.some((entry) => entry.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  // Volumes are filled from the image once, on the container's first start (docker's copy-up).
  const binds: OciMount[] = await ociMounts(record.mounts ?? [], {
    rootfs,
    populate: record.state.startedAt === ZERO_TIME,
  });
  let args = [record.path, ...record.args];
  if (hostConfig.Init) {
    binds.push({
      destination: '/sbin/docker-init',
      type: 'bind',
      source: initBinaryPath(),
      options: ['rbind', 'ro'],
    });
    args = ['/sbin/docker-init', '--', ...args];
  }
  const memory = hostConfig.Memory;
  return buildSpec({
    rootfs,
    stateDir: etcDir,
    hostname: config.Hostname,
    args,
    env,
    cwd,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    tty: config.Tty,
    noNewPrivileges: noNewPrivileges(hostConfig.SecurityOpt),
    network,
    cgroupsPath,
    capAdd: hostConfig.CapAdd ?? undefined,
    capDrop: hostConfig.CapDrop ?? undefined,
    privileged: hostConfig.Privileged,
    binds,
    resources: {
      ...(memory > 0 ? { memory: { limit: memory, swap: hostConfig.MemorySwap || memory } } : {}),
      ...(hostConfig.NanoCpus || hostConfig.CpuShares
        ? {
            cpu: {
              ...(hostConfig.CpuShares ? { shares: hostConfig.CpuShares } : {}),
              ...(hostConfig.NanoCpus
                ? { quota: Math.round(hostConfig.NanoCpus / 1e4), period: 100000 }
                : {}),
            },
          }
        : {}),
      ...(hostConfig.PidsLimit && hostConfig.PidsLimit > 0 ? { pids: { limit: hostConfig.PidsLimit } } : {}),
    },
  });
}

export interface Started {
  pid: number;
  monitorPid: number;
  cgroup: { version: 1 | 2; paths: string[] };
  /** docker's NetworkSettings.Ports: the host ports the forwarder bound. */
  ports: PublishedPorts;
}

/** The other container's directory in container: mode (its /etc files are shared), else undefined. */
async function sharedEtcDir(record: ContainerRecord, context: StartContext): Promise<string | undefined> {
  const mode = parseNetworkMode(record.hostConfig.NetworkMode);
  return sharesEtcFiles(mode) && context.containerDirOf ? context.containerDirOf(mode.target) : undefined;
}

export async function startContainer(
  record: ContainerRecord,
  context: StartContext,
  options: StartOptions = {},
): Promise<Started> {
  const dirs = rootfsDirs(context.containerDir);
  const cgroup = planCgroup(record.id);
  const hostConfig = record.hostConfig;
  const oci = isOciRuntime(record);
  const runtimeBinary = builtinRuntimePath();
  const ociRuntime = oci ? ociRuntimePath(hostConfig.Runtime) : undefined;
  try {
    const network = await networkMode(record, context);
    await mountRootfs(dirs, context.lowerDirs);
    await cgroup.create();
    await cgroup.apply({
      memory: hostConfig.Memory || undefined,
      memorySwap: hostConfig.MemorySwap || undefined,
      nanoCpus: hostConfig.NanoCpus || undefined,
      cpuShares: hostConfig.CpuShares || undefined,
      pidsLimit: hostConfig.PidsLimit ?? undefined,
      deviceRules: hostConfig.Privileged ? undefined : defaultDeviceRules(),
    });
    // runc resolves a relative cgroupsPath under its own cgroup in each hierarchy: the same
    // directories planCgroup chose, since the monitor inherits ours.
    const cgroupsPath = oci ? `berth-${record.id}` : cgroup.paths.join(':');
    const etcDir = await sharedEtcDir(record, context);
    const spec = await specFor(record, dirs.merged, cgroupsPath, network, etcDir);
    await writeFile(join(context.containerDir, 'config.json'), JSON.stringify(spec, null, 2));
    await Promise.all(
      ['pid', 'exit', 'monitor.pid', 'attach.sock'].map((name) =>
        rm(join(context.containerDir, name), { force: true }),
      ),
    );
    // Ports are claimed before the process exists, so a busy one fails the start cleanly.
    const ports = await publishContainerPorts(context.containerDir, {
      networkMode: hostConfig.NetworkMode,
      portBindings: hostConfig.PortBindings,
      publishAll: hostConfig.PublishAllPorts,
      exposedPorts: record.config.ExposedPorts,
    });
    const logOpts = hostConfig.LogConfig.Config;
    const started = await startMonitor({
      runtimeBinary,
      bundle: context.containerDir,
      stateDir: context.containerDir,
      logPath: record.logPath,
      logMaxSize: logOpts['max-size'] ? parseMemory(logOpts['max-size'], '--log-opt max-size') : undefined,
      logMaxFile: logOpts['max-file'] ? Number(logOpts['max-file']) : undefined,
      tty: record.config.Tty,
      stdin: record.config.OpenStdin,
      attachWait: options.attachWait ?? false,
      ociRuntime,
      memoryCgroup: cgroup.memoryDir(),
      exitCommand: context.exitCommand,
    });
    return { ...started, cgroup: { version: cgroup.version, paths: cgroup.paths }, ports };
  } catch (error) {
    await unpublishContainerPorts(context.containerDir);
    await cgroup.remove().catch(() => undefined);
    await unmountRootfs(dirs).catch(() => undefined);
    throw error;
  }
}

export function assertStartable(record: ContainerRecord): void {
  if (record.state.status === 'running' || record.state.status === 'restarting') {
    throw new ContainerStateError(`container ${record.id} is already running`);
  }
  if (record.state.status === 'paused') {
    throw new ContainerStateError(`cannot start a paused container, try unpause instead`);
  }
  if (record.state.status === 'dead')
    throw new InvalidArgumentError(`container ${record.id} is marked for removal and cannot be started`);
}
