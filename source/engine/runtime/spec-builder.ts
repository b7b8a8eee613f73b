/**
 * Builds the OCI runtime spec for one container from what `create` decided (image config merged
 * with run options) using docker's defaults. Pure apart from reading the kernel's limits, so it is
 * tested without running anything.
 */
import { join } from 'node:path';
import { ociCapabilities, type CapabilityOptions } from './capabilities.js';
import {
  DEFAULT_PATH,
  MASKED_PATHS,
  READONLY_PATHS,
  defaultDeviceRules,
  defaultDevices,
  defaultMounts,
} from './docker-defaults.js';
import type { OciMount, OciNamespace, OciResources, OciRlimit, OciSpec, OciUser } from './oci-spec.js';
import { defaultRlimits } from './rlimits.js';

export type NetworkMode =
  { mode: 'none' } | { mode: 'host' } | { mode: 'private' } | { mode: 'container'; nsPath: string };

export interface SpecInput extends CapabilityOptions {
  rootfs: string;
  /** Directory holding hostname, hosts and resolv.conf for this container. */
  stateDir: string;
  hostname: string;
  args: string[];
  env: string[];
  cwd: string;
  user: OciUser;
  tty: boolean;
  noNewPrivileges?: boolean;
  network: NetworkMode;
  /** Colon-separated cgroup directories for the builtin runtime, a relative path for runc. */
  cgroupsPath: string;
  resources?: Omit<OciResources, 'devices'>;
  rlimits?: OciRlimit[];
  /** The user's mounts (volumes, binds, tmpfs, --init binary), ordered by orderMounts. */
  binds?: OciMount[];
  sysctl?: Record<string, string>;
}

/** docker's env order: image env overridden by -e; PATH added when missing; HOSTNAME; TERM with -t. */
export function containerEnv(
  imageEnv: string[],
  userEnv: string[],
  hostname: string,
  tty: boolean,
): string[] {
  const merged = new Map<string, string>();
  const put = (entry: string): void => {
    const eq = entry.indexOf('=');
    merged.set(eq < 0 ? entry : entry.slice(0, eq), entry);
  };
  put(`HOSTNAME=${hostname}`);
  if (tty) put('TERM=xterm');
  for (const entry of imageEnv) put(entry);
  for (const entry of userEnv) put(entry);
  if (!merged.has('PATH')) merged.set('PATH', `PATH=${DEFAULT_PATH}`);
  // PATH first, as docker prints it in `env`.
  const path = merged.get('PATH') as string;
  merged.delete('PATH');
  return [path, ...merged.values()];
}

function namespaces(network: NetworkMode): OciNamespace[] {
  const list: OciNamespace[] = [
    { type: 'pid' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
    { type: 'cgroup' },
  ];
  if (network.mode === 'container') list.push({ type: 'network', path: network.nsPath });
  else if (network.mode !== 'host') list.push({ type: 'network' });
  return list;
}

function etcMounts(stateDir: string): OciMount[] {
  return ['resolv.conf', 'hostname', 'hosts'].map((name) => ({
    destination: `/etc/${name}`,
    type: 'bind',
    source: join(stateDir, name),
    options: ['rbind', 'rprivate'],
  }));
}

function pathDepth(path: string): number {
  return path.split('/').filter(Boolean).length;
}

/**
 * docker's order (daemon/oci_linux.go WithMounts): its defaults first, minus any a user mount
 * replaces (and all of /dev's when the user mounts /dev); then the user's mounts together with
 * /etc/hosts, hostname and resolv.conf, sorted by depth, so a volume on /etc goes first and the
 * container's own /etc/hosts lands on top of it. A user mount on /etc/hosts replaces berth's.
 */
export function orderMounts(defaults: OciMount[], etc: OciMount[], user: OciMount[]): OciMount[] {
  const claimed = new Set(user.map((mount) => mount.destination));
  const kept = defaults.filter(
    (mount) =>
      !claimed.has(mount.destination) && !(claimed.has('/dev') && mount.destination.startsWith('/dev/')),
  );
  const own = [...etc.filter((mount) => !claimed.has(mount.destination)), ...user];
  // Array.prototype.sort is stable: equal depths keep the order they were asked for.
  return [...kept, ...own.sort((a, b) => pathDepth(a.destination) - pathDepth(b.destination))];
}

export function buildSpec(input: SpecInput): OciSpec {
  const caps = ociCapabilities(input, input.user.uid);
  const mounts = orderMounts(defaultMounts(), etcMounts(input.stateDir), input.binds ?? []);
  if (input.privileged) {
    // --privileged: /sys writable, nothing masked, every device rule open (docker's behaviour).
    for (const mount of mounts) {
      if (mount.destination === '/sys' || mount.destination === '/sys/fs/cgroup')
        mount.options = mount.options.filter((option) => option !== 'ro');
    }
  }
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: input.tty,
      user: input.user,
      args: input.args,
      env: input.env,
      cwd: input.cwd || '/',
      capabilities: caps,
      rlimits: defaultRlimits(input.rlimits),
      noNewPrivileges: input.noNewPrivileges ?? false,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts,
    linux: {
      namespaces: namespaces(input.network),
      devices: defaultDevices(),
      resources: {
        devices: input.privileged ? [{ allow: true, access: 'rwm' }] : defaultDeviceRules(),
        ...input.resources,
      },
      cgroupsPath: input.cgroupsPath,
      maskedPaths: input.privileged ? [] : [...MASKED_PATHS],
      readonlyPaths: input.privileged ? [] : [...READONLY_PATHS],
      ...(input.sysctl ? { sysctl: input.sysctl } : {}),
    },
  };
}
