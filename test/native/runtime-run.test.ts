// `berth-runtime run` against the real kernel: what a process sees inside the container.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeBundle, type SpecOptions } from './spec-fixture.js';
import {
  RUNTIME,
  assertRuntimeBuilt,
  hostMountsUnder,
  killIfAlive,
  makeRootfs,
  readPid,
  waitFor,
} from './runtime-fixture.js';

let top = '';
let rootfs = '';
let counter = 0;
const started: number[] = [];
const cgroups: string[] = [];

test.before(async () => {
  assertRuntimeBuilt();
  top = await mkdtemp(join(tmpdir(), 'berth-native-run-'));
  rootfs = await makeRootfs(join(top, 'rootfs'));
});

test.after.always(async () => {
  for (const pid of started) killIfAlive(pid);
  for (const dir of cgroups) await rmdir(dir).catch(() => undefined);
  if (top) await rm(top, { recursive: true, force: true });
});

async function run(options: Partial<SpecOptions> & { args: string[] }) {
  const bundle = join(top, `bundle-${++counter}`);
  await writeBundle(bundle, { rootfs, stateDir: join(bundle, 'state'), ...options });
  const pidFile = join(bundle, 'pid');
  const child = execa(RUNTIME, ['run', '--bundle', bundle, '--pid-file', pidFile], {
    reject: false,
    stdin: 'ignore',
  });
  void readPid(pidFile).then((pid) => pid && started.push(pid));
  const result = await child;
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr), bundle };
}

test('the container process is pid 1, sees only its own processes and has its own hostname', async (t) => {
  const r = await run({
    args: ['sh', '-c', 'echo $$; hostname; cat /etc/hostname; ps -o pid,comm'],
    hostname: 'box-one',
  });
  t.is(r.exitCode, 0, r.stderr);
  const [pid, hostname, etcHostname, ...ps] = r.stdout.split('\n');
  t.is(pid, '1');
  t.is(hostname, 'box-one');
  t.is(etcHostname, 'box-one');
  const pids = ps.slice(1).map((line) => Number.parseInt(line.trim(), 10));
  t.deepEqual(
    pids.filter((p) => p > 0),
    pids.filter((p) => p > 0 && p < 10),
  );
  t.true(pids.includes(1));
});

test('/proc/sys and /sys are read-only, masked paths are masked', async (t) => {
  const r = await run({
    args: [
      'sh',
      '-c',
      'echo x > /proc/sys/kernel/domainname; echo rc=$?; touch /sys/berth; echo rc=$?; ' +
        'wc -c < /proc/keys; ls -A /sys/firmware | wc -l; touch /sys/firmware/x; echo rc=$?; ' +
        'grep -E " /proc/sys | /sys " /proc/mounts',
    ],
  });
  t.is(r.exitCode, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.is(lines[0], 'rc=1');
  t.is(lines[1], 'rc=1');
  t.is(lines[2].trim(), '0');
  t.is(lines[3].trim(), '0');
  t.is(lines[4], 'rc=1');
  t.regex(r.stdout, /proc \/proc\/sys proc ro,/);
  t.regex(r.stdout, /sysfs \/sys sysfs ro,/);
  t.regex(r.stderr, /Read-only file system/);
});

test("docker's 14 capabilities, no_new_privs off by default", async (t) => {
  const r = await run({
    args: ['grep', '-E', '^(CapEff|CapBnd|CapPrm|CapInh|NoNewPrivs)', '/proc/self/status'],
  });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /CapEff:\t00000000a80425fb/);
  t.regex(r.stdout, /CapBnd:\t00000000a80425fb/);
  t.regex(r.stdout, /CapPrm:\t00000000a80425fb/);
  t.regex(r.stdout, /CapInh:\t0000000000000000/);
  t.regex(r.stdout, /NoNewPrivs:\t0/);
});

test('noNewPrivileges gives NoNewPrivs: 1', async (t) => {
  const r = await run({ args: ['grep', 'NoNewPrivs', '/proc/self/status'], noNewPrivileges: true });
  t.is(r.stdout.trim(), 'NoNewPrivs:\t1');
});

test('uid, gid and additional groups come from process.user; a non-root user has no effective caps', async (t) => {
  const r = await run({
    args: ['sh', '-c', 'id; grep CapEff /proc/self/status; pwd'],
    user: { uid: 1000, gid: 1000, additionalGids: [10] },
    cwd: '/home/app',
  });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^uid=1000\(app\) gid=1000\(app\) groups=10\(wheel\)$/m);
  t.regex(r.stdout, /CapEff:\t0000000000000000/);
  t.regex(r.stdout, /^\/home\/app$/m);
});

test('a private network namespace has only lo, and it is up', async (t) => {
  const r = await run({
    args: [
      'sh',
      '-c',
      'ls /sys/class/net; ip -o link show lo; ping -c 1 -W 2 127.0.0.1 >/dev/null; echo ping=$?',
    ],
  });
  t.is(r.exitCode, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.is(lines[0], 'lo');
  t.regex(lines[1], /<LOOPBACK,UP,LOWER_UP>/);
  t.is(lines[2], 'ping=0');
});

test('exit codes pass through: 0, 3, and 137 for SIGKILL', async (t) => {
  t.is((await run({ args: ['true'] })).exitCode, 0);
  t.is((await run({ args: ['sh', '-c', 'exit 3'] })).exitCode, 3);
  const bundle = join(top, `bundle-${++counter}`);
  await writeBundle(bundle, { rootfs, stateDir: join(bundle, 'state'), args: ['sleep', '60'] });
  const pidFile = join(bundle, 'pid');
  const child = execa(RUNTIME, ['run', '--bundle', bundle, '--pid-file', pidFile], { reject: false });
  const pid = await waitFor(() => readPid(pidFile));
  started.push(pid);
  process.kill(pid, 'SIGKILL');
  t.is((await child).exitCode, 137);
});

test("a missing command exits 127 and a non-executable file 126, with docker's messages", async (t) => {
  const missing = await run({ args: ['no-such-command'] });
  t.is(missing.exitCode, 127);
  t.is(missing.stderr.trim(), 'berth-runtime: exec: "no-such-command": executable file not found in $PATH');
  const missingPath = await run({ args: ['/bin/nope'] });
  t.is(missingPath.exitCode, 127);
  t.is(
    missingPath.stderr.trim(),
    'berth-runtime: exec: "/bin/nope": stat /bin/nope: no such file or directory',
  );
  const notExecutable = await run({ args: ['/etc/not-executable'] });
  t.is(notExecutable.exitCode, 126);
  t.is(notExecutable.stderr.trim(), 'berth-runtime: exec: "/etc/not-executable": permission denied');
  const directory = await run({ args: ['/etc'] });
  t.is(directory.exitCode, 126);
  t.is(directory.stderr.trim(), 'berth-runtime: exec: "/etc": is a directory');
});

test('rlimits are applied but never above the current hard limit', async (t) => {
  const hard = (await execa('sh', ['-c', 'ulimit -Hn'])).stdout.trim();
  const r = await run({
    args: ['sh', '-c', 'ulimit -Sn; ulimit -Hn'],
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: 2 ** 40, soft: 512 }],
  });
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(r.stdout.split('\n'), ['512', hard]);
});

test('the container joins the cgroups in cgroupsPath and sees its own as the root', async (t) => {
  const dir = `/sys/fs/cgroup/pids/berth-test-${randomBytes(6).toString('hex')}`;
  await mkdir(dir);
  cgroups.push(dir);
  await writeFile(join(dir, 'pids.max'), '42');
  const r = await run({
    args: ['sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max; grep pids /proc/self/cgroup'],
    cgroupsPath: dir,
  });
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(r.stdout.split('\n'), ['42', r.stdout.split('\n')[1]]);
  t.regex(r.stdout.split('\n')[1] ?? '', /:pids:\/$/);
});

test('nothing the containers mounted is visible on the host', async (t) => {
  await run({ args: ['true'] });
  t.deepEqual(await hostMountsUnder(top), []);
  const mounts = await readFile('/proc/mounts', 'utf8');
  t.false(mounts.includes(rootfs));
});
