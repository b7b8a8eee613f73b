// The container verbs around the runtime: restart policies, `ps` (filters, -n/-l/-s, --no-trunc,
// --format), `top`, `rename`, `wait`, `kill -s`, `inspect`'s shape and `container prune`.
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { berth } from '../helpers/cli.js';
import { seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

let root = '';

test.before(async () => {
  cleanUpOnTermination(() => root);
  root = await mkdtemp('/tmp/bm-');
  await seedBusybox(root);
});

test.after.always(async () => {
  if (root) await destroyStore(root);
});

async function ok(args: string[]): Promise<string> {
  const result = await berth(root, args);
  if (result.exitCode !== 0)
    throw new Error(`berth ${args.join(' ')} → ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

const field = async (name: string, template: string): Promise<string> =>
  (await ok(['inspect', '-f', template, name])).trim();

/** Polls `inspect -f template` until `accept` says yes (60 s at most: restarts under load are slow). */
async function until(name: string, template: string, accept: (value: string) => boolean): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await field(name, template);
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${name} ${template}: still ${value}`);
    await sleep(100);
  }
}

test.serial('restart on-failure:2 retries twice then stays exited; no restart on success', async (t) => {
  await ok([
    'run',
    '-d',
    '--name',
    'onfail',
    '--restart',
    'on-failure:2',
    'busybox',
    'sh',
    '-c',
    'echo run; exit 3',
  ]);
  await until('onfail', '{{.State.Status}} {{.RestartCount}}', (v) => v === 'exited 2');
  await sleep(1500);
  t.is(await field('onfail', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}'), 'exited 2 3');
  t.is((await ok(['logs', 'onfail'])).split('\n').filter(Boolean).length, 3, 'ran 1 + 2 times');
  await ok(['run', '-d', '--name', 'onfail-ok', '--restart', 'on-failure', 'busybox', 'true']);
  await until('onfail-ok', '{{.State.Status}}', (v) => v === 'exited');
  await sleep(800);
  t.is(await field('onfail-ok', '{{.RestartCount}}'), '0');
});

test.serial('restart always and unless-stopped come back after exits, and stop ends that', async (t) => {
  for (const policy of ['always', 'unless-stopped']) {
    const name = `pol-${policy}`;
    await ok(['run', '-d', '--name', name, '--restart', policy, 'busybox', 'sh', '-c', 'sleep 0.2; exit 1']);
    await until(name, '{{.RestartCount}}', (v) => Number(v) >= 2);
    await ok(['stop', '-t', '1', name]);
    const stopped = await field(name, '{{.State.Status}} {{.RestartCount}}');
    t.regex(stopped, /^exited \d+$/, policy);
    await sleep(1500);
    t.is(await field(name, '{{.State.Status}} {{.RestartCount}}'), stopped, `${policy}: stop is final`);
  }
  t.is(await field('pol-always', '{{.HostConfig.RestartPolicy.Name}}'), 'always');
});

test.serial('ps: filters, -n/-l, -s, --no-trunc, --format, -q', async (t) => {
  await ok(['run', '--name', 'ps-done', 'busybox', 'true']);
  await ok(['run', '-d', '--name', 'web-a', '-l', 'tier=front', 'busybox', 'sleep', '300']);
  await ok([
    'create',
    '--name',
    'web-b',
    '-l',
    'tier=back',
    'busybox',
    'sh',
    '-c',
    'echo a long command line here',
  ]);
  const names = async (args: string[]): Promise<string[]> =>
    (await ok(['ps', ...args, '--format', '{{.Names}}'])).split('\n').filter(Boolean).sort();
  t.deepEqual(await names([]), ['web-a'], 'running only by default');
  t.deepEqual(await names(['-a', '--filter', 'status=created']), ['web-b']);
  t.deepEqual(await names(['--filter', 'status=exited', '--filter', 'name=^ps-']), ['ps-done']);
  t.deepEqual(await names(['-a', '--filter', 'name=^web-']), ['web-a', 'web-b']);
  t.deepEqual(await names(['-a', '--filter', 'label=tier']), ['web-a', 'web-b']);
  t.deepEqual(await names(['-a', '--filter', 'label=tier=back']), ['web-b']);
  t.deepEqual(await names(['-a', '--filter', 'ancestor=busybox', '--filter', 'name=^ps-']), ['ps-done']);
  t.deepEqual(await names(['-a', '--filter', 'ancestor=nothing-like-it']), []);
  t.deepEqual(await names(['-n', '2']), ['web-a', 'web-b'], 'the two newest, any state');
  t.deepEqual(await names(['-l']), ['web-b']);
  const quiet = (await ok(['ps', '-aq'])).split('\n').filter(Boolean);
  t.true(quiet.length >= 3);
  t.true(quiet.every((id) => /^[0-9a-f]{12}$/.test(id)));
  const full = await ok(['ps', '-a', '--no-trunc', '--filter', 'name=web-b']);
  t.regex(
    full,
    /^[0-9a-f]{64} +busybox +"sh -c 'echo a long command line here'"|^[0-9a-f]{64} +busybox +"sh -c echo a long command line here"/m,
  );
  const short = await ok(['ps', '-a', '--filter', 'name=web-b']);
  t.regex(short, /"sh -c echo a long c…"/);
  const table = (await ok(['ps', '-s'])).split('\n');
  t.regex(table[0] ?? '', /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +SIZE$/);
  t.regex(table[1] ?? '', /Up .* web-a +\d+(\.\d+)?k?B$/);
  t.is(
    (await ok(['ps', '--format', '{{.Names}}|{{.Image}}|{{.State}}|{{.Labels}}'])).trim(),
    'web-a|busybox|running|tier=front',
  );
});

test.serial('top, rename, wait, kill -s', async (t) => {
  const top = (await ok(['top', 'web-a'])).split('\n');
  t.regex(top[0] ?? '', /^UID +PID +PPID +C +STIME +TTY +TIME +CMD$/);
  t.true(
    top.some((line) => / sleep 300$/.test(line)),
    top.join('\n'),
  );
  await ok(['rename', 'web-a', 'web-renamed']);
  t.is(await field('web-renamed', '{{.Name}}'), '/web-renamed');
  const taken = await berth(root, ['rename', 'web-renamed', 'web-b']);
  t.not(taken.exitCode, 0);
  t.regex(taken.stderr, /already in use/);
  // kill -s delivers the signal the container traps; wait prints the exit codes.
  await ok([
    'run',
    '-d',
    '--name',
    'trap',
    'busybox',
    'sh',
    '-c',
    "trap 'echo got-usr1; exit 4' USR1; while true; do sleep 0.1; done",
  ]);
  await ok(['run', '-d', '--name', 'later', 'busybox', 'sh', '-c', 'sleep 1; exit 2']);
  await sleep(300);
  await ok(['kill', '-s', 'USR1', 'trap']);
  t.is(await ok(['wait', 'trap', 'later']), '4\n2\n');
  t.is(await ok(['logs', 'trap']), 'got-usr1\n');
  await ok(['kill', 'web-renamed']);
  t.is(await field('web-renamed', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
  const notRunning = await berth(root, ['kill', 'web-renamed']);
  t.is(notRunning.exitCode, 1);
  t.regex(notRunning.stderr, /is not running/);
  const badSignal = await berth(root, ['kill', '-s', 'NOPE', 'web-b']);
  t.not(badSignal.exitCode, 0);
});

test.serial("inspect: docker's shape for what scripts read", async (t) => {
  await ok([
    'run',
    '-d',
    '--name',
    'shape',
    '-e',
    'A=1',
    '-l',
    'k=v',
    '-m',
    '64m',
    '--restart',
    'on-failure:3',
    '-v',
    'shapevol:/data',
    '--cap-add',
    'NET_ADMIN',
    '--log-opt',
    'max-size=1m',
    // Repeatable flags take one value each: the last one must not swallow the image.
    '--tmpfs',
    '/run/t:size=1m',
    'busybox',
    'sleep',
    '300',
  ]);
  const [info] = JSON.parse(await ok(['inspect', 'shape'])) as Array<Record<string, unknown>>;
  const doc = info as {
    Id: string;
    Name: string;
    Path: string;
    Args: string[];
    State: Record<string, unknown>;
    Config: Record<string, unknown>;
    HostConfig: Record<string, unknown>;
    Mounts: Array<Record<string, unknown>>;
    NetworkSettings: { Ports: Record<string, unknown> };
  };
  t.regex(doc.Id, /^[0-9a-f]{64}$/);
  t.is(doc.Name, '/shape');
  t.is(doc.Path, 'sleep');
  t.deepEqual(doc.Args, ['300']);
  t.like(doc.State, { Status: 'running', Running: true, Paused: false, OOMKilled: false, ExitCode: 0 });
  t.true(Number(doc.State['Pid']) > 1);
  t.regex(String(doc.State['StartedAt']), /^\d{4}-\d\d-\d\dT/);
  t.is(doc.State['FinishedAt'], '0001-01-01T00:00:00Z');
  t.like(doc.Config, { Image: 'busybox', Cmd: ['sleep', '300'], Labels: { k: 'v' }, Tty: false });
  t.true((doc.Config['Env'] as string[]).includes('A=1'));
  t.like(doc.HostConfig, {
    Memory: 64 * 1024 * 1024,
    RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
    AutoRemove: false,
    Tmpfs: { '/run/t': 'size=1m' },
    CapAdd: ['NET_ADMIN'],
    LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
  });
  t.deepEqual(
    doc.Mounts.map((m) => [m['Type'], m['Name'], m['Destination'], m['RW']]),
    [['volume', 'shapevol', '/data', true]],
  );
  t.deepEqual(doc.NetworkSettings.Ports, {});
  t.is(await field('shape', '{{.State.Running}} {{.HostConfig.NetworkMode}}'), 'true private');
  const missing = await berth(root, ['inspect', 'shape', 'nope']);
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /No such container: nope/);
  await ok(['rm', '-f', 'shape']);
});

test.serial('container prune: only stopped ones, filters until= and label=, reclaimed space', async (t) => {
  await ok(['create', '--name', 'old-keep', '-l', 'keep=yes', 'busybox', 'true']);
  await ok([
    'create',
    '--name',
    'old-drop',
    '-l',
    'keep=no',
    'busybox',
    'sh',
    '-c',
    'head -c 100000 /dev/zero > /big',
  ]);
  await ok(['start', '-a', 'old-drop']);
  await sleep(1100);
  const cut = Math.floor(Date.now() / 1000);
  await sleep(1100);
  await ok(['create', '--name', 'new-drop', '-l', 'keep=no', 'busybox', 'true']);
  const byLabel = await ok([
    'container',
    'prune',
    '-f',
    '--filter',
    `until=${cut}`,
    '--filter',
    'label=keep=no',
  ]);
  const dropId = await berth(root, ['inspect', 'old-drop']);
  t.is(dropId.exitCode, 1, 'old-drop pruned');
  t.regex(byLabel, /^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: 100(\.\d)?kB\n$/);
  const names = (await ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n');
  t.true(names.includes('old-keep') && names.includes('new-drop'), names.join(','));
  const rest = await ok(['container', 'prune', '-f', '--filter', 'label!=keep=yes']);
  t.regex(rest, /Total reclaimed space: /);
  const left = (await ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter(Boolean).sort();
  t.deepEqual(left, ['old-keep'], 'every stopped container without keep=yes went');
  t.is(
    (await ok(['container', 'prune', '-f', '--filter', 'label=nothing'])).trim(),
    'Total reclaimed space: 0B',
  );
});

test.serial(
  'a monitor killed before its cleanup: wait still returns and nothing stays mounted',
  async (t) => {
    const id = (await ok(['run', '-d', 'busybox', 'sleep', '1'])).trim();
    const monitor = Number(await readFile(join(root, 'containers', id, 'monitor.pid'), 'utf8'));
    process.kill(monitor, 'SIGKILL');
    t.is((await ok(['wait', id])).trim(), '255', "docker's code for an exit nobody recorded");
    t.is(await field(id, '{{.State.Status}}'), 'exited');
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(id));
    t.deepEqual(mounts, []);
    await ok(['rm', id]);
  },
);
