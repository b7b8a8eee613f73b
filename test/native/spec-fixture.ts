// A docker-like OCI runtime spec written by hand, so the native runtime is tested against
// exactly what the TypeScript runner is expected to generate (see PROTOCOL.md).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const DOCKER_DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const MASKED = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface SpecOptions {
  rootfs: string;
  /** Directory holding hostname, hosts and resolv.conf, bind-mounted into /etc. */
  stateDir: string;
  args: string[];
  hostname?: string;
  terminal?: boolean;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  noNewPrivileges?: boolean;
  cwd?: string;
  env?: string[];
  /** 'private' (new net ns, default) or 'host' (no net ns entry). */
  network?: 'private' | 'host';
  cgroupsPath?: string;
  rlimits?: Array<{ type: string; hard: number; soft: number }>;
}

export interface ProcessObject {
  terminal: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;
  noNewPrivileges: boolean;
  rlimits?: Array<{ type: string; hard: number; soft: number }>;
}

export function processObject(o: Partial<SpecOptions> & { args: string[] }): ProcessObject {
  return {
    terminal: o.terminal ?? false,
    user: o.user ?? { uid: 0, gid: 0 },
    args: o.args,
    env: o.env ?? [DEFAULT_PATH, 'HOSTNAME=' + (o.hostname ?? 'berth-test'), 'TERM=xterm'],
    cwd: o.cwd ?? '/',
    capabilities: {
      bounding: DOCKER_DEFAULT_CAPS,
      effective: DOCKER_DEFAULT_CAPS,
      permitted: DOCKER_DEFAULT_CAPS,
      inheritable: [],
      ambient: [],
    },
    noNewPrivileges: o.noNewPrivileges ?? false,
    ...(o.rlimits ? { rlimits: o.rlimits } : {}),
  };
}

export function buildSpec(o: SpecOptions): Record<string, unknown> {
  const bind = (name: string, destination: string) => ({
    destination,
    type: 'bind',
    source: join(o.stateDir, name),
    options: ['rbind', 'rprivate'],
  });
  const namespaces: Array<{ type: string }> = [
    { type: 'pid' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
  ];
  if ((o.network ?? 'private') === 'private') namespaces.push({ type: 'network' });
  namespaces.push({ type: 'cgroup' });
  return {
    ociVersion: '1.0.2',
    root: { path: o.rootfs, readonly: false },
    hostname: o.hostname ?? 'berth-test',
    process: processObject(o),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['ro', 'nosuid', 'noexec', 'nodev'],
      },
      {
        destination: '/dev/mqueue',
        type: 'mqueue',
        source: 'mqueue',
        options: ['nosuid', 'noexec', 'nodev'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'],
      },
      bind('hostname', '/etc/hostname'),
      bind('hosts', '/etc/hosts'),
      bind('resolv.conf', '/etc/resolv.conf'),
    ],
    linux: {
      namespaces,
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath } : {}),
      maskedPaths: MASKED,
      readonlyPaths: READONLY,
    },
  };
}

/** Writes <bundle>/config.json and the state files its bind mounts point at. */
export async function writeBundle(bundle: string, o: SpecOptions): Promise<void> {
  await mkdir(bundle, { recursive: true });
  await mkdir(o.stateDir, { recursive: true });
  const hostname = o.hostname ?? 'berth-test';
  await writeFile(join(o.stateDir, 'hostname'), hostname + '\n');
  await writeFile(join(o.stateDir, 'hosts'), `127.0.0.1\tlocalhost\n127.0.0.1\t${hostname}\n`);
  await writeFile(join(o.stateDir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  await writeFile(join(bundle, 'config.json'), JSON.stringify(buildSpec(o), null, 2));
}
