import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import {
  cgroupVersion,
  openCgroup,
  planCgroup,
  sharesToWeight,
  cpuQuotaUs,
  CgroupV1,
} from '../../../source/engine/runtime/index.js';

const children: ChildProcess[] = [];
const planned: ReturnType<typeof planCgroup>[] = [];

test.after.always(async () => {
  for (const child of children) if (child.pid) child.kill('SIGKILL');
  for (const cgroup of planned) await cgroup.remove().catch(() => undefined);
});

function plan(): ReturnType<typeof planCgroup> {
  const cgroup = planCgroup(randomBytes(32).toString('hex'));
  planned.push(cgroup);
  return cgroup;
}

async function counter(
  cgroup: ReturnType<typeof planCgroup>,
): Promise<{ child: ChildProcess; read: () => Promise<number>; file: string }> {
  // Appends a line per turn and is read by size: a counter rewritten in place (`echo $i > f`)
  // reads as empty most of the time on a loaded ext4, whose truncate waits for writeback.
  const file = `/tmp/berth-counter-${randomBytes(4).toString('hex')}`;
  const child = spawn('/bin/busybox', ['sh', '-c', `while true; do echo x >> ${file}; done`], {
    stdio: 'ignore',
  });
  children.push(child);
  for (const path of cgroup.paths) await writeFile(join(path, 'cgroup.procs'), String(child.pid));
  return {
    child,
    file,
    read: async () => (await stat(file).catch(() => ({ size: 0 }))).size,
  };
}

test('this machine is detected as cgroup v1 (hybrid with empty unified)', (t) => {
  t.is(cgroupVersion(), 1);
  const mountinfo = '30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n';
  t.is(cgroupVersion(mountinfo), 2);
});

test('v2 conversions follow the kernel docs and runc', (t) => {
  t.is(sharesToWeight(1024), 39);
  t.is(sharesToWeight(2), 1);
  t.is(sharesToWeight(262144), 10000);
  t.is(cpuQuotaUs(1.5e9), 150000);
});

test('limits are written, the directory names contain berth, and remove cleans up', async (t) => {
  const cgroup = plan();
  t.true(cgroup.paths.every((path) => path.includes('berth-')));
  await cgroup.create();
  await cgroup.apply({ memory: 64 * 1024 * 1024, nanoCpus: 0.5e9, cpuShares: 512, pidsLimit: 20 });
  const dir = (name: string): string => cgroup.paths.find((path) => path.includes(`/${name}/`)) as string;
  t.is(
    (await readFile(join(dir('memory'), 'memory.limit_in_bytes'), 'utf8')).trim(),
    String(64 * 1024 * 1024),
  );
  t.is((await readFile(join(dir('cpu'), 'cpu.cfs_quota_us'), 'utf8')).trim(), '50000');
  t.is((await readFile(join(dir('cpu'), 'cpu.shares'), 'utf8')).trim(), '512');
  t.is((await readFile(join(dir('pids'), 'pids.max'), 'utf8')).trim(), '20');
  const reopened = openCgroup(1, cgroup.paths);
  await reopened.remove();
  t.false(cgroup.paths.some((path) => existsSync(path)));
});

test('freezer stops a counter and thawing resumes it; stats and kill on remove', async (t) => {
  const cgroup = plan();
  await cgroup.create();
  await cgroup.apply({ pidsLimit: 50 });
  const { child, read, file } = await counter(cgroup);
  t.teardown(() => rm(file, { force: true }));
  await sleep(200);
  t.deepEqual(await cgroup.pids(), [child.pid]);
  await cgroup.freeze();
  t.true(await cgroup.isFrozen());
  const frozenAt = await read();
  await sleep(300);
  t.is(await read(), frozenAt);
  t.is(await cgroup.pids().then((pids) => pids.length), 1);
  await cgroup.thaw();
  let resumed = 0;
  for (let i = 0; i < 50 && resumed <= frozenAt; i++) {
    await sleep(50);
    resumed = await read();
  }
  t.true(resumed > frozenAt);
  const stats = await cgroup.stats();
  t.true(stats.cpuUsageNs > 0);
  t.true(stats.pids >= 1);
  t.true(stats.memoryLimit > 0);
  t.false(await cgroup.oomKilled());
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await cgroup.freeze();
  await cgroup.remove(); // thaws, kills, removes
  await exited;
  t.false(cgroup.paths.some((path) => existsSync(path)));
});

test('the OOM killer is seen through memory.oom_control', async (t) => {
  const cgroup = plan();
  t.true(cgroup instanceof CgroupV1);
  await cgroup.create();
  await cgroup.apply({ memory: 16 * 1024 * 1024 });
  const child = spawn(
    '/bin/busybox',
    ['sh', '-c', 'read x; exec /bin/busybox dd if=/dev/zero of=/dev/null bs=64M count=1'],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  children.push(child);
  for (const path of cgroup.paths) await writeFile(join(path, 'cgroup.procs'), String(child.pid));
  child.stdin?.end('go\n');
  const [, signal] = (await new Promise((resolve) => child.once('exit', (...args) => resolve(args)))) as [
    number | null,
    string | null,
  ];
  t.is(signal, 'SIGKILL');
  t.true(await cgroup.oomKilled());
  await cgroup.remove();
});
