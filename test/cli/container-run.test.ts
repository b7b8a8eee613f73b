import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { berth } from '../helpers/cli.js';
import { seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

/** How many container directories the store holds (the names index beside them does not count). */
function containerDirs(root: string): number {
  return readdirSync(`${root}/containers`).filter((name) => /^[0-9a-f]{64}$/.test(name)).length;
}

let root = '';

test.before(async () => {
  cleanUpOnTermination(() => root);
  root = await mkdtemp('/tmp/b-');
  await seedBusybox(root);
});

test.after.always(async () => {
  if (root) await destroyStore(root);
});

/** run -d, wait, logs: the container's output and exit code. */
async function runToEnd(
  args: string[],
  command: string[],
): Promise<{ code: number; logs: string; id: string }> {
  const run = await berth(root, ['run', '-d', ...args, 'busybox', ...command]);
  if (run.exitCode !== 0) return { code: run.exitCode, logs: run.stderr, id: '' };
  const id = run.stdout.trim();
  // Bounded: a wait that hangs must fail the test, not time out into an exit code of 0.
  const wait = await berth(root, ['wait', id], { timeout: 30_000 });
  if (wait.exitCode !== 0 || !/^\d+\n$/.test(wait.stdout))
    throw new Error(`wait ${id} → ${wait.exitCode}: ${wait.stdout}${wait.stderr}`);
  const logs = await berth(root, ['logs', id]);
  return { code: Number(wait.stdout.trim()), logs: logs.stdout + logs.stderr, id };
}

test.serial(
  'inside: pid 1, own hostname, no host processes, docker caps, read-only /proc/sys and /sys',
  async (t) => {
    const { code, logs } = await runToEnd(
      ['--hostname', 'boxy'],
      [
        'sh',
        '-c',
        'echo pid=$$; hostname; ps -o pid | wc -l; grep -E "^Cap(Eff|Bnd)" /proc/self/status; echo 1 > /proc/sys/kernel/domainname 2>/dev/null || echo procsys-ro; touch /sys/x 2>/dev/null || echo sys-ro; grep NoNewPrivs /proc/self/status',
      ],
    );
    t.is(code, 0, logs);
    t.regex(logs, /^pid=1$/m);
    t.regex(logs, /^boxy$/m);
    const processCount = Number(/^(\d+)$/m.exec(logs.split('\n').slice(2).join('\n'))?.[1]);
    t.true(processCount <= 4, logs); // header, sh, ps, wc: nothing from the host
    t.regex(logs, /CapEff:\t00000000a80425fb/);
    t.regex(logs, /CapBnd:\t00000000a80425fb/);
    t.regex(logs, /procsys-ro/);
    t.regex(logs, /sys-ro/);
    t.regex(logs, /NoNewPrivs:\t0/);
  },
);

test.serial('--security-opt no-new-privileges, -u, -w, -e, --cap-drop', async (t) => {
  const { code, logs } = await runToEnd(
    [
      '--security-opt',
      'no-new-privileges',
      '-u',
      'nobody',
      '-w',
      '/tmp/work',
      '-e',
      'FOO=bar',
      '--cap-drop',
      'ALL',
    ],
    ['sh', '-c', 'grep -E "NoNewPrivs|CapBnd" /proc/self/status; id -u; pwd; echo $FOO; echo $PATH'],
  );
  t.is(code, 0, logs);
  t.regex(logs, /NoNewPrivs:\t1/);
  t.regex(logs, /CapBnd:\t0000000000000000/);
  t.regex(logs, /^65534$/m);
  t.regex(logs, /^\/tmp\/work$/m);
  t.regex(logs, /^bar$/m);
  t.regex(logs, /^\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
});

test.serial('exit codes: the container status, 127 for a missing command', async (t) => {
  t.is((await runToEnd([], ['sh', '-c', 'exit 42'])).code, 42);
  const missing = await berth(root, ['run', '-d', 'busybox', 'nosuchcommand']);
  t.is(missing.exitCode, 127, missing.stderr);
  t.regex(missing.stderr, /executable file not found|not found/);
});

test.serial('writing 200 MB under -m 64m is an OOM kill: 137 and OOMKilled', async (t) => {
  const { code, id } = await runToEnd(
    ['-m', '64m'],
    ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=200; sleep 1; tail /dev/zero'],
  );
  t.is(code, 137);
  const inspect = await berth(root, ['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', id]);
  t.is(inspect.stdout.trim(), 'true 137');
});

test.serial('a fork bomb stops at --pids-limit', async (t) => {
  const run = await berth(root, [
    'run',
    '-d',
    '--pids-limit',
    '20',
    'busybox',
    'sh',
    '-c',
    "sleep 600 & sh -c 'while true; do sleep 60 & done' 2>/dev/null; wait",
  ]);
  t.is(run.exitCode, 0, run.stderr);
  const id = run.stdout.trim();
  // The fork loop fills the limit within a moment; poll (a loaded machine may take longer)
  // until it has clearly started, then the count must never be above the limit.
  let stats = await berth(root, ['stats', '--no-stream', '--format', '{{.PIDs}}', id]);
  for (let i = 0; i < 150 && !(Number(stats.stdout.trim()) > 5); i++) {
    await sleep(100);
    stats = await berth(root, ['stats', '--no-stream', '--format', '{{.PIDs}}', id]);
  }
  const pids = Number(stats.stdout.trim());
  t.true(pids > 5 && pids <= 20, stats.stdout + stats.stderr);
  t.is((await berth(root, ['rm', '-f', id])).exitCode, 0);
});

test.serial('pause freezes a counter, unpause resumes it; stop thaws a paused container', async (t) => {
  const run = await berth(root, [
    'run',
    '-d',
    '--name',
    'counter',
    'busybox',
    'sh',
    '-c',
    'while true; do echo x >> /tmp/n; done',
  ]);
  t.is(run.exitCode, 0, run.stderr);
  const id = run.stdout.trim();
  const upper = `${root}/containers/${id}/diff/tmp/n`;
  // Counted by size: a file rewritten in place reads as empty most of the time on a loaded ext4.
  const read = (): number => statSync(upper, { throwIfNoEntry: false })?.size ?? 0;
  await sleep(300);
  t.true(read() >= 0);
  await sleep(300);
  t.is((await berth(root, ['pause', 'counter'])).exitCode, 0);
  const ps = await berth(root, ['ps', '--filter', 'status=paused', '--format', '{{.Names}} {{.Status}}']);
  t.regex(ps.stdout, /counter Up .* \(Paused\)/);
  const frozen = read();
  await sleep(400);
  t.is(read(), frozen);
  t.is((await berth(root, ['unpause', 'counter'])).exitCode, 0);
  let resumed = 0;
  for (let i = 0; i < 40 && resumed <= frozen; i++) {
    await sleep(50);
    resumed = read();
  }
  t.true(resumed > frozen);
  await berth(root, ['pause', 'counter']);
  const stop = await berth(root, ['stop', '-t', '1', 'counter']);
  t.is(stop.exitCode, 0, stop.stderr);
  t.is((await berth(root, ['inspect', '-f', '{{.State.Status}}', 'counter'])).stdout.trim(), 'exited');
  t.is((await berth(root, ['rm', 'counter'])).exitCode, 0);
});

test.serial(
  'files survive stop/start, show in diff, commit captures them with deletions, vanish with rm',
  async (t) => {
    const run = await berth(root, [
      'run',
      '-d',
      '--name',
      'files',
      'busybox',
      'sh',
      '-c',
      'echo kept > /root/new.txt; rm /bin/vi; sleep 300',
    ]);
    t.is(run.exitCode, 0, run.stderr);
    await sleep(300);
    t.is((await berth(root, ['stop', '-t', '0', 'files'])).exitCode, 0);
    const diff = await berth(root, ['diff', 'files']);
    t.regex(diff.stdout, /^A \/root\/new.txt$/m);
    t.regex(diff.stdout, /^D \/bin\/vi$/m);
    t.regex(diff.stdout, /^C \/root$/m);
    t.is((await berth(root, ['start', 'files'])).exitCode, 0);
    const exec = await berth(root, ['exec', 'files', 'cat', '/root/new.txt']);
    t.is(exec.stdout.trim(), 'kept', exec.stderr);
    const commit = await berth(root, ['commit', '-c', 'CMD ["cat","/root/new.txt"]', 'files', 'snap:1']);
    t.is(commit.exitCode, 0, commit.stderr);
    t.regex(commit.stdout, /^sha256:[a-f0-9]{64}$/m);
    // Not --rm: a quick container could be gone before `logs` reads it (docker races the same way).
    const fromCommit = await berth(root, [
      'run',
      '-d',
      'snap:1',
      'sh',
      '-c',
      'cat /root/new.txt; test -e /bin/vi || echo vi-gone',
    ]);
    const id = fromCommit.stdout.trim();
    t.is(fromCommit.exitCode, 0, fromCommit.stderr);
    const logs = await berth(root, ['logs', '-f', id]);
    t.regex(logs.stdout, /kept/);
    t.regex(logs.stdout, /vi-gone/);
    t.is((await berth(root, ['rm', id])).exitCode, 0);
    t.is((await berth(root, ['rm', '-f', 'files'])).exitCode, 0);
    const fresh = await runToEnd([], ['sh', '-c', 'cat /root/new.txt 2>&1; test -e /bin/vi && echo vi-here']);
    t.regex(fresh.logs, /No such file/);
    t.regex(fresh.logs, /vi-here/);
  },
);

test.serial('bad input: clear message, docker exit code, nothing left behind', async (t) => {
  const before = containerDirs(root);
  const unknown = await berth(root, ['run', 'nosuchimage']);
  t.is(unknown.exitCode, 125);
  t.regex(unknown.stderr, /Unable to find image 'nosuchimage:latest' locally/);
  const memory = await berth(root, ['run', '-m', 'abc', 'busybox', 'true']);
  t.is(memory.exitCode, 125);
  t.regex(memory.stderr, /invalid argument "abc" for "-m, --memory" flag/);
  const cpus = await berth(root, ['run', '--cpus', '-1', 'busybox', 'true']);
  t.is(cpus.exitCode, 125);
  t.regex(cpus.stderr, /--cpus/);
  t.is(containerDirs(root), before);
  const first = await berth(root, ['run', '-d', '--name', 'taken', 'busybox', 'sleep', '300']);
  t.is(first.exitCode, 0, first.stderr);
  const second = await berth(root, ['run', '-d', '--name', 'taken', 'busybox', 'true']);
  t.is(second.exitCode, 125);
  t.regex(second.stderr, /The container name "\/taken" is already in use/);
  const rm = await berth(root, ['rm', 'taken']);
  t.is(rm.exitCode, 1);
  t.regex(rm.stderr, /container is running: stop the container before removing or force remove/);
  await berth(root, ['stop', '-t', '0', 'taken']);
  const exec = await berth(root, ['exec', 'taken', 'true']);
  t.is(exec.exitCode, 1);
  t.regex(exec.stderr, /is not running/);
  t.is((await berth(root, ['rm', 'taken'])).exitCode, 0);
  const missing = await berth(root, ['stop', 'nosuch']);
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /No such container: nosuch/);
  t.is(containerDirs(root), before);
});

test.serial('quick detached containers started all at once all end exited, nothing mounted', async (t) => {
  // Under load a container's `container cleanup` can run before the start that launched it has
  // saved the run (it must wait for that start); this checks the whole path end to end, the
  // ordering itself is forced in test/engine/container/containers.test.ts.
  const runs = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      berth(root, ['run', '-d', '--name', `quick-${i}`, 'busybox', 'true']),
    ),
  );
  for (const run of runs) t.is(run.exitCode, 0, run.stderr);
  const ids = runs.map((run) => run.stdout.trim());
  let states: string[] = [];
  for (let waited = 0; waited < 30_000; waited += 250) {
    const ps = await berth(root, [
      'ps',
      '-a',
      '--no-trunc',
      '--filter',
      'name=quick-',
      '--format',
      '{{.ID}} {{.State}}',
    ]);
    states = ps.stdout.trim().split('\n').sort();
    if (states.length === ids.length && states.every((line) => line.endsWith(' exited'))) break;
    await sleep(250);
  }
  t.deepEqual(states, ids.map((id) => `${id} exited`).sort());
  const mounted = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .filter((line) => ids.some((id) => line.includes(id)));
  t.deepEqual(mounted, []);
  t.is((await berth(root, ['rm', ...ids])).exitCode, 0);
});
