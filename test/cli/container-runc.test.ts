// `--runtime runc` through the whole CLI: the same container (image, flags) run by the builtin
// runtime and by runc looks the same from inside, limits apply, and an OOM kill under runc is
// still recorded (the monitor reads it before `runc delete` removes the cgroup).
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { execa } from 'execa';
import { berth } from '../helpers/cli.js';
import { seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

let root = '';

test.before(async () => {
  cleanUpOnTermination(() => root);
  root = await mkdtemp('/tmp/br-');
  await seedBusybox(root);
});

test.after.always(async () => {
  if (root) {
    // runc keeps its own state under /run/runc/<id>: ours are the store's container ids.
    const ids = (await berth(root, ['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
    await destroyStore(root);
    for (const id of ids) await execa('runc', ['delete', '--force', id], { reject: false });
  }
});

const VIEW = [
  'echo pid=$$',
  'hostname; id',
  "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' /proc/self/status",
  'awk \'{split($6, o, ","); print "mount", $5, $9, o[1]}\' /proc/self/mountinfo | sort',
  "ls -A /dev | sort | tr '\\n' ' '; echo",
  'echo $HOME; pwd; ulimit -n',
  'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null',
].join('\n');

test.serial('the same container seen from inside under the builtin runtime and under runc', async (t) => {
  const flags = [
    '--rm',
    '--hostname',
    'twin',
    '-u',
    'nobody',
    '-w',
    '/tmp',
    '--pids-limit',
    '50',
    '-m',
    '96m',
  ];
  const builtin = await berth(root, ['run', ...flags, 'busybox', 'sh', '-c', VIEW]);
  const runc = await berth(root, ['run', ...flags, '--runtime', 'runc', 'busybox', 'sh', '-c', VIEW]);
  t.is(builtin.exitCode, 0, builtin.stderr);
  t.is(runc.exitCode, 0, runc.stderr);
  t.deepEqual(runc.stdout.split('\n'), builtin.stdout.split('\n'));
  t.regex(builtin.stdout, /^pid=1$/m);
  t.regex(builtin.stdout, /^twin\nuid=65534\(nobody\) gid=65534\(nobody\)/m);
  t.regex(builtin.stdout, /^CapEff:\t0000000000000000$/m, 'a non-root user has no effective caps');
  t.regex(builtin.stdout, /^CapBnd:\t00000000a80425fb$/m);
  t.regex(builtin.stdout, /^50\n100663296$/m, 'pids and memory limits, seen through the cgroup namespace');
});

test.serial('exit codes, 127, and an OOM kill recorded under runc', async (t) => {
  const code = await berth(root, ['run', '--rm', '--runtime', 'runc', 'busybox', 'sh', '-c', 'exit 5']);
  t.is(code.exitCode, 5);
  const missing = await berth(root, ['run', '--rm', '--runtime', 'runc', 'busybox', 'no-such-command']);
  t.not(missing.exitCode, 0);
  const oom = await berth(root, [
    'run',
    '--name',
    'runc-oom',
    '--runtime',
    'runc',
    '-m',
    '64m',
    'busybox',
    'sh',
    '-c',
    'dd if=/dev/zero of=/dev/shm/fill bs=1M count=200; sleep 1; tail /dev/zero',
  ]);
  t.is(oom.exitCode, 137);
  const state = await berth(root, ['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'runc-oom']);
  t.is(state.stdout.trim(), 'true 137');
  const list = await execa('runc', ['list', '-q']);
  t.false(
    String(list.stdout).includes(
      String((await berth(root, ['inspect', '-f', '{{.Id}}', 'runc-oom'])).stdout.trim()),
    ),
  );
  await berth(root, ['rm', 'runc-oom']);
});
