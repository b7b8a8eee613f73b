import test from 'ava';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildSpec,
  capabilityList,
  containerEnv,
  defaultRlimits,
  currentHardLimits,
  resolveInRoot,
  resolveUser,
  resolveUserFrom,
  DEFAULT_PATH,
  orderMounts,
  type OciMount,
  type SpecInput,
} from '../../../source/engine/runtime/index.js';

const base: SpecInput = {
  rootfs: '/c/rootfs',
  stateDir: '/c',
  hostname: 'abc',
  args: ['sh'],
  env: ['PATH=/bin'],
  cwd: '/',
  user: { uid: 0, gid: 0 },
  tty: false,
  network: { mode: 'private' },
  cgroupsPath: '/sys/fs/cgroup/memory/berth-x',
};

function mask(caps: string[]): string {
  const numbers: Record<string, number> = {
    CAP_CHOWN: 0,
    CAP_DAC_OVERRIDE: 1,
    CAP_FOWNER: 3,
    CAP_FSETID: 4,
    CAP_KILL: 5,
    CAP_SETGID: 6,
    CAP_SETUID: 7,
    CAP_SETPCAP: 8,
    CAP_NET_BIND_SERVICE: 10,
    CAP_NET_RAW: 13,
    CAP_SYS_CHROOT: 18,
    CAP_MKNOD: 27,
    CAP_AUDIT_WRITE: 29,
    CAP_SETFCAP: 31,
    CAP_SYS_ADMIN: 21,
    CAP_NET_ADMIN: 12,
  };
  let value = 0n;
  for (const cap of caps) value |= 1n << BigInt(numbers[cap] ?? 63);
  return value.toString(16).padStart(16, '0');
}

test('default capabilities are docker 14, mask 00000000a80425fb', (t) => {
  const spec = buildSpec(base);
  t.is(spec.process.capabilities.bounding.length, 14);
  t.is(mask(spec.process.capabilities.effective), '00000000a80425fb');
  t.is(mask(spec.process.capabilities.bounding), '00000000a80425fb');
  t.deepEqual(spec.process.capabilities.ambient, []);
  t.false(spec.process.noNewPrivileges);
});

test('cap-add, cap-drop, ALL and privileged', (t) => {
  t.true(capabilityList({ capAdd: ['sys_admin'] }).includes('CAP_SYS_ADMIN'));
  t.false(capabilityList({ capDrop: ['CAP_CHOWN'] }).includes('CAP_CHOWN'));
  t.deepEqual(capabilityList({ capDrop: ['ALL'], capAdd: ['NET_ADMIN'] }), ['CAP_NET_ADMIN']);
  t.true(capabilityList({ privileged: true }).length >= 38);
  t.throws(() => capabilityList({ capAdd: ['BOGUS'] }), { message: /invalid capability/ });
  const privileged = buildSpec({ ...base, privileged: true });
  t.deepEqual(privileged.linux.maskedPaths, []);
  t.false(privileged.mounts.find((m) => m.destination === '/sys')?.options.includes('ro'));
});

test('mounts, devices, masked and readonly paths as docker', (t) => {
  const spec = buildSpec({ ...base, noNewPrivileges: true });
  t.true(spec.process.noNewPrivileges);
  t.deepEqual(
    spec.mounts.map((m) => m.destination),
    [
      '/proc',
      '/dev',
      '/dev/pts',
      '/sys',
      '/sys/fs/cgroup',
      '/dev/mqueue',
      '/dev/shm',
      '/etc/resolv.conf',
      '/etc/hostname',
      '/etc/hosts',
    ],
  );
  t.true(spec.mounts.find((m) => m.destination === '/sys')?.options.includes('ro'));
  t.is(spec.mounts.find((m) => m.destination === '/etc/hosts')?.source, '/c/hosts');
  t.deepEqual(
    spec.linux.devices.map((d) => d.path),
    ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'],
  );
  t.true(spec.linux.maskedPaths.includes('/proc/kcore'));
  t.true(spec.linux.readonlyPaths.includes('/proc/sys'));
  t.deepEqual(spec.linux.namespaces.map((n) => n.type).sort(), [
    'cgroup',
    'ipc',
    'mount',
    'network',
    'pid',
    'uts',
  ]);
});

test('network modes map to namespaces', (t) => {
  const host = buildSpec({ ...base, network: { mode: 'host' } });
  t.false(host.linux.namespaces.some((n) => n.type === 'network'));
  const shared = buildSpec({ ...base, network: { mode: 'container', nsPath: '/proc/7/ns/net' } });
  t.deepEqual(
    shared.linux.namespaces.find((n) => n.type === 'network'),
    { type: 'network', path: '/proc/7/ns/net' },
  );
});

test('env gets docker PATH, HOSTNAME, TERM and -e overrides', (t) => {
  const env = containerEnv(['A=1', 'B=2'], ['B=3'], 'host1', true);
  t.is(env[0], `PATH=${DEFAULT_PATH}`);
  t.true(env.includes('HOSTNAME=host1'));
  t.true(env.includes('TERM=xterm'));
  t.true(env.includes('B=3'));
  t.false(env.includes('B=2'));
  t.is(containerEnv(['PATH=/x'], [], 'h', false)[0], 'PATH=/x');
});

test('rlimits never exceed the current hard limit', (t) => {
  const hard = currentHardLimits();
  const nofile = defaultRlimits().find((limit) => limit.type === 'RLIMIT_NOFILE');
  t.truthy(nofile);
  t.true((nofile?.hard ?? Infinity) <= (hard.get('RLIMIT_NOFILE') ?? Infinity));
  const clamped = defaultRlimits(
    [{ type: 'RLIMIT_NPROC', hard: 1e12, soft: 1e12 }],
    new Map([['RLIMIT_NPROC', 500]]),
  );
  t.deepEqual(
    clamped.find((limit) => limit.type === 'RLIMIT_NPROC'),
    { type: 'RLIMIT_NPROC', hard: 500, soft: 500 },
  );
});

test('USER resolution: names, ids, groups, supplementary gids', (t) => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n';
  const group = 'root:x:0:\nalice:x:1000:\nwheel:x:10:alice,bob\nstaff:x:50:\n';
  t.deepEqual(resolveUserFrom('', passwd, group), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  t.deepEqual(resolveUserFrom('alice', passwd, group), {
    uid: 1000,
    gid: 1000,
    additionalGids: [10],
    home: '/home/alice',
  });
  t.deepEqual(resolveUserFrom('1000:staff', passwd, group), {
    uid: 1000,
    gid: 50,
    additionalGids: [],
    home: '/home/alice',
  });
  t.is(resolveUserFrom('4242', passwd, group).uid, 4242);
  t.is(resolveUserFrom('4242:7', passwd, group).gid, 7);
  t.throws(() => resolveUserFrom('mallory', passwd, group), { message: /unable to find user mallory/ });
  t.throws(() => resolveUserFrom('alice:nogroup', passwd, group), {
    message: /unable to find group nogroup/,
  });
});

test('paths and /etc/passwd are resolved inside the rootfs, never through links out', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'b-root-'));
  const outside = await mkdtemp(join(tmpdir(), 'b-out-'));
  t.teardown(() =>
    Promise.all([rm(root, { recursive: true, force: true }), rm(outside, { recursive: true, force: true })]),
  );
  await writeFile(join(outside, 'passwd'), 'evil:x:0:0::/:/bin/sh\n');
  await mkdir(join(root, 'etc'));
  await symlink(join(outside, 'passwd'), join(root, 'etc', 'passwd'));
  await symlink('../../../../..', join(root, 'up'));
  t.is(await resolveInRoot(root, '/up/etc/passwd', false), join(root, 'etc', 'passwd'));
  t.is(await resolveInRoot(root, '/up/etc/passwd'), join(root, outside, 'passwd'));
  t.is(await resolveInRoot(root, '/etc/passwd'), join(root, outside, 'passwd'));
  t.is(await resolveInRoot(root, '../../x'), join(root, 'x'));
  await t.throwsAsync(resolveUser(root, 'evil'), { message: /unable to find user evil/ });
});

test("mount order is docker's: defaults, then user mounts and /etc files by depth", (t) => {
  const bind = (destination: string, source = '/src'): OciMount => ({
    destination,
    type: 'bind',
    source,
    options: ['rbind'],
  });
  const defaults = [bind('/proc'), bind('/dev'), bind('/dev/shm'), bind('/sys')];
  const etc = [bind('/etc/resolv.conf'), bind('/etc/hostname'), bind('/etc/hosts')];
  const order = (user: OciMount[]) =>
    orderMounts(defaults, etc, user).map(
      (m) => `${m.destination}${m.source === '/src' ? '' : '=' + m.source}`,
    );
  // A volume on /etc is mounted first, so the container's own /etc files land on top of it.
  t.deepEqual(order([bind('/data/logs', '/v2'), bind('/etc', '/v1'), bind('/data', '/v3')]), [
    '/proc',
    '/dev',
    '/dev/shm',
    '/sys',
    '/etc=/v1',
    '/data=/v3',
    '/etc/resolv.conf',
    '/etc/hostname',
    '/etc/hosts',
    '/data/logs=/v2',
  ]);
  // A user mount replaces berth's at the same place; a /dev of the user's replaces all of /dev.
  t.deepEqual(order([bind('/etc/hosts', '/mine'), bind('/dev', '/devs')]), [
    '/proc',
    '/sys',
    '/dev=/devs',
    '/etc/resolv.conf',
    '/etc/hostname',
    '/etc/hosts=/mine',
  ]);
});
