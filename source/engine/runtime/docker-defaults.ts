/**
 * What docker puts in every container unless told otherwise (moby's oci/defaults.go and
 * daemon/oci_linux.go): capabilities, mounts, devices, masked and read-only paths, PATH.
 */
import type { OciDevice, OciDeviceRule, OciMount } from './oci-spec.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** docker's 14 default capabilities: CapEff/CapBnd 00000000a80425fb. */
export const DEFAULT_CAPABILITIES = [
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
] as const;

/** Every capability by its number (linux/capability.h), for --privileged and --cap-add ALL. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
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

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function defaultMounts(): OciMount[] {
  return [
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
    // The container's own cgroups, read-only (through its cgroup namespace), as docker mounts them.
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['ro', 'nosuid', 'noexec', 'nodev'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'],
    },
  ];
}

const device = (path: string, major: number, minor: number): OciDevice => ({
  type: 'c',
  path,
  major,
  minor,
  fileMode: 0o666,
  uid: 0,
  gid: 0,
});

export function defaultDevices(): OciDevice[] {
  return [
    device('/dev/null', 1, 3),
    device('/dev/zero', 1, 5),
    device('/dev/full', 1, 7),
    device('/dev/random', 1, 8),
    device('/dev/urandom', 1, 9),
    device('/dev/tty', 5, 0),
  ];
}

/** docker's device cgroup: deny all, then allow mknod of anything and the default devices. */
export function defaultDeviceRules(): OciDeviceRule[] {
  const allow = (type: string, major: number | undefined, minor: number | undefined, access = 'rwm') => ({
    allow: true,
    type,
    ...(major === undefined ? {} : { major }),
    ...(minor === undefined ? {} : { minor }),
    access,
  });
  return [
    { allow: false, access: 'rwm' },
    allow('c', undefined, undefined, 'm'),
    allow('b', undefined, undefined, 'm'),
    allow('c', 1, 3),
    allow('c', 1, 5),
    allow('c', 1, 7),
    allow('c', 1, 8),
    allow('c', 1, 9),
    allow('c', 5, 0),
    allow('c', 5, 1),
    allow('c', 5, 2),
    allow('c', 136, undefined),
    allow('c', 10, 200),
  ];
}

/** docker's /etc/hosts for a container with its own network namespace. */
export function defaultHosts(hostname: string): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    `127.0.0.1\t${hostname}`,
    '',
  ].join('\n');
}
