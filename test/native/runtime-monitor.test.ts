// `berth-runtime monitor`: daemonized, json-file logs, rotation, exit file and command,
// the attach socket (with --attach-wait, --stdin and --tty) and its own memory use.
import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { basename, join } from 'node:path';
import { writeBundle, type SpecOptions } from './spec-fixture.js';
import {
  AttachClient,
  RUNTIME,
  assertRuntimeBuilt,
  hostMountsUnder,
  isAlive,
  killIfAlive,
  makeRootfs,
  readPid,
  waitFor,
} from './runtime-fixture.js';
import { AttachSession } from '../../source/engine/monitor/index.js';

let top = '';
let rootfs = '';
let counter = 0;
const started: number[] = [];
/** Containers handed to runc: a monitor killed before its `runc delete` leaves runc's state and cgroup. */
const runcIds: string[] = [];

test.before(async () => {
  assertRuntimeBuilt();
  top = await mkdtemp(join(tmpdir(), 'berth-native-monitor-'));
  rootfs = await makeRootfs(join(top, 'rootfs'));
});

test.after.always(async () => {
  for (const pid of started) killIfAlive(pid);
  for (const id of runcIds) await execa('runc', ['delete', '--force', id], { reject: false });
  if (top) await rm(top, { recursive: true, force: true });
});

interface Monitor {
  exitCode: number | undefined;
  stderr: string;
  state: string;
  log: string;
  pid?: number;
  monitorPid?: number;
}

async function startMonitor(
  options: Partial<SpecOptions> & { args: string[]; nest?: string },
  flags: string[] = [],
  exitCommand: string[] = [],
) {
  const bundle = join(top, `bundle-${++counter}`);
  // The basename is the container id an OCI runtime CLI sees: unique per test run.
  const state = join(bundle, options.nest ?? '', `berth-test-${process.pid}-${counter}`);
  await mkdir(state, { recursive: true });
  await writeBundle(bundle, { rootfs, stateDir: state, ...options });
  if (flags.includes('--runtime')) runcIds.push(basename(state));
  const log = join(state, 'container.log');
  const args = [
    'monitor',
    '--bundle',
    bundle,
    '--state',
    state,
    '--log',
    log,
    ...flags,
    '--',
    ...exitCommand,
  ];
  const result = await execa(RUNTIME, args, { reject: false, stdin: 'ignore' });
  const m: Monitor = { exitCode: result.exitCode, stderr: String(result.stderr), state, log };
  m.monitorPid = await readPid(join(state, 'monitor.pid'));
  m.pid = await readPid(join(state, 'pid'));
  for (const pid of [m.monitorPid, m.pid]) if (pid) started.push(pid);
  return m;
}

async function exitFile(
  state: string,
  timeoutMs?: number,
): Promise<{ exitCode: number; signal: number | null; finishedAt: string }> {
  const text = await waitFor(
    async () => (existsSync(join(state, 'exit')) ? readFile(join(state, 'exit'), 'utf8') : undefined),
    timeoutMs,
  );
  return JSON.parse(text) as { exitCode: number; signal: number | null; finishedAt: string };
}

async function waitGone(pid: number | undefined): Promise<void> {
  if (pid) await waitFor(() => (isAlive(pid) ? undefined : true));
}

interface LogRecord {
  log: string;
  stream: string;
  time: string;
}
const parseLog = (text: string): LogRecord[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogRecord);
const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

test('json-file log: streams, RFC3339Nano times, a 40 KiB line split at 16 KiB; exit file and exit command', async (t) => {
  const marker = join(top, 'exit-command-ran');
  const m = await startMonitor(
    {
      args: [
        'sh',
        '-c',
        'echo out; echo err >&2; head -c 40960 /dev/zero | tr "\\0" a; echo; printf "<&>\\t\\"tail"; exit 5',
      ],
    },
    [],
    ['/bin/sh', '-c', `echo "$0 $1" > ${marker}`, 'cleanup', 'c1'],
  );
  t.is(m.exitCode, 0, m.stderr);
  t.truthy(m.pid);
  const exit = await exitFile(m.state);
  t.is(exit.exitCode, 5);
  t.is(exit.signal, null);
  t.regex(exit.finishedAt, RFC3339_NANO);
  await waitFor(() => (existsSync(marker) ? true : undefined));
  t.is((await readFile(marker, 'utf8')).trim(), 'cleanup c1');
  const records = parseLog(await readFile(m.log, 'utf8'));
  for (const r of records) t.regex(r.time, RFC3339_NANO);
  t.true(records.some((r) => r.log === 'out\n' && r.stream === 'stdout'));
  t.true(records.some((r) => r.log === 'err\n' && r.stream === 'stderr'));
  const long = records.filter((r) => r.log.startsWith('aaa'));
  t.deepEqual(
    long.map((r) => r.log.length),
    [16384, 16384, 40960 - 2 * 16384 + 1],
  );
  t.true(long[2]?.log.endsWith('a\n'));
  t.is(records.at(-1)?.log, '<&>\t"tail');
  t.true((await readFile(m.log, 'utf8')).includes('\\u003c\\u0026\\u003e\\t\\"tail'));
  await waitGone(m.monitorPid);
});

test('log rotation with max-size and max-file', async (t) => {
  const m = await startMonitor(
    { args: ['sh', '-c', 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done'] },
    ['--log-max-size', '1000', '--log-max-file', '3'],
  );
  t.is(m.exitCode, 0, m.stderr);
  await exitFile(m.state);
  t.true(existsSync(m.log + '.1'));
  t.true(existsSync(m.log + '.2'));
  t.false(existsSync(m.log + '.3'));
  for (const file of [m.log, m.log + '.1', m.log + '.2']) t.true((await stat(file)).size <= 1000);
  const newest = parseLog(await readFile(m.log, 'utf8'));
  t.is(newest.at(-1)?.log, 'line-199\n');
  const older = parseLog(await readFile(m.log + '.1', 'utf8'));
  t.is(Number(older.at(-1)?.log.slice(5)) + 1, Number(newest[0]?.log.slice(5)));
});

test('SIGKILL is recorded as 137 with the signal; the monitor stays small', async (t) => {
  const m = await startMonitor({ args: ['sleep', '600'] });
  t.is(m.exitCode, 0, m.stderr);
  const status = await readFile(`/proc/${m.monitorPid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  t.log(
    `monitor VmRSS ${rssKb} kB; ${/RssAnon:\s+\d+ kB/.exec(status)?.[0]}; ${/RssFile:\s+\d+ kB/.exec(status)?.[0]}`,
  );
  t.true(rssKb < 2048);
  t.regex(await readlink(`/proc/${m.monitorPid}/exe`), /^\/memfd:berth-runtime/);
  process.kill(m.pid ?? 0, 'SIGKILL');
  const exit = await exitFile(m.state);
  t.is(exit.exitCode, 137);
  t.is(exit.signal, 9);
  await waitGone(m.monitorPid);
  t.false(existsSync(join(m.state, 'attach.sock')));
});

test('a start failure surfaces from the foreground parent: 127 and the message, no exit file', async (t) => {
  const m = await startMonitor({ args: ['no-such-command'] });
  t.is(m.exitCode, 127);
  t.is(m.stderr.trim(), 'berth-runtime: exec: "no-such-command": executable file not found in $PATH');
  await waitGone(m.monitorPid);
  t.false(existsSync(join(m.state, 'exit')));
});

test("--attach-wait: nothing runs before a client's first frame; it gets all output and delivers stdin", async (t) => {
  const m = await startMonitor(
    { args: ['sh', '-c', 'echo first; read line; echo "got $line"; cat; echo err >&2'] },
    ['--attach-wait', '--stdin'],
  );
  t.is(m.exitCode, 0, m.stderr);
  // Still the runtime waiting to exec, from the sealed memfd copy (CVE-2019-5736).
  t.regex(await readlink(`/proc/${m.pid}/exe`), /^\/memfd:berth-runtime/);
  const client = await AttachClient.connect(join(m.state, 'attach.sock'));
  // Connected but silent: still held (the hold ends with a frame, so "cleanup handled" can come
  // first); a few monitor poll rounds pass.
  await new Promise((resolve) => setTimeout(resolve, 350));
  t.regex(await readlink(`/proc/${m.pid}/exe`), /^\/memfd:berth-runtime/);
  client.release();
  await waitFor(() => (client.text().includes('first\n') ? true : undefined));
  t.regex(await readlink(`/proc/${m.pid}/exe`), /busybox$/);
  client.sendStdin('hello\n');
  await waitFor(() => (client.text().includes('got hello\n') ? true : undefined));
  client.sendStdin('more\n');
  client.closeStdin();
  await client.closed;
  t.is(client.text(), 'first\ngot hello\nmore\n');
  t.is(client.text('stderr'), 'err\n');
  t.is(client.exitCode, 0, 'the exit frame came before the close');
  t.is((await exitFile(m.state)).exitCode, 0);
});

test('--attach-wait + "cleanup handled" as the first frame: a quick container\'s output and exit code arrive, the exit command is skipped', async (t) => {
  const marker = join(top, 'skipped-exit-command');
  const m = await startMonitor(
    { args: ['sh', '-c', 'echo quick; exit 3'] },
    ['--attach-wait'],
    ['/bin/sh', '-c', `touch ${marker}`],
  );
  t.is(m.exitCode, 0, m.stderr);
  const client = await AttachClient.connect(join(m.state, 'attach.sock'));
  client.release(true);
  await client.closed;
  t.is(client.text(), 'quick\n');
  t.is(client.exitCode, 3);
  await waitGone(m.monitorPid);
  t.false(existsSync(marker));

  // The same without the frame's promise kept (the client gone before the exit): the command runs.
  const ran = join(top, 'ran-exit-command');
  const again = await startMonitor(
    { args: ['sh', '-c', 'read x; exit 0'] },
    ['--attach-wait', '--stdin'],
    ['/bin/sh', '-c', `touch ${ran}`],
  );
  const leaving = await AttachClient.connect(join(again.state, 'attach.sock'));
  leaving.release(true);
  await waitFor(async () =>
    (await readlink(`/proc/${again.pid}/exe`)).endsWith('busybox') ? true : undefined,
  );
  leaving.end();
  const other = await AttachClient.connect(join(again.state, 'attach.sock'));
  other.closeStdin();
  await waitFor(() => (existsSync(ran) ? true : undefined));
  t.pass();
});

test("after the exit frame the monitor half-closes and still reads: a client's late write never fails", async (t) => {
  const m = await startMonitor({ args: ['sh', '-c', 'echo bye; exit 2'] }, ['--attach-wait']);
  t.is(m.exitCode, 0, m.stderr);
  // A raw socket that does not end its side on EOF, so it can write after the monitor's last frame.
  const socket = createConnection({ path: join(m.state, 'attach.sock'), allowHalfOpen: true });
  const errors: Error[] = [];
  socket.on('error', (error) => errors.push(error));
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const eof = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(Buffer.from([4, 0, 0, 0, 0])); // "go"
  await eof;
  // The exit frame (stream 3, code 2) is the last thing sent; then a late stdin EOF frame.
  t.deepEqual([...received.subarray(-9)], [3, 0, 0, 0, 4, 0, 0, 0, 2]);
  t.true(received.includes('bye\n'));
  await new Promise<void>((resolve) => socket.write(Buffer.from([1, 0, 0, 0, 0]), () => resolve()));
  socket.end();
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  t.deepEqual(errors, []);
  await waitGone(m.monitorPid);
});

test('--tty: output through a pty, resize frames change `stty size`', async (t) => {
  const m = await startMonitor({ args: ['sh'], terminal: true }, ['--tty', '--attach-wait', '--stdin']);
  t.is(m.exitCode, 0, m.stderr);
  const client = await AttachClient.connect(join(m.state, 'attach.sock'));
  client.resize(33, 111);
  client.sendStdin('tty; stty size\n');
  await waitFor(() => (/^33 111\r?$/m.test(client.text()) ? true : undefined));
  t.regex(client.text(), /\/dev\/pts\/0/);
  client.resize(40, 120);
  client.sendStdin('stty size; exit 7\n');
  await waitFor(() => (/^40 120\r?$/m.test(client.text()) ? true : undefined));
  t.is((await exitFile(m.state)).exitCode, 7);
  const records = parseLog(await readFile(m.log, 'utf8'));
  t.true(records.every((r) => r.stream === 'stdout'));
  t.true(records.some((r) => r.log.includes('33 111')));
  await waitGone(m.monitorPid);
  t.deepEqual(await hostMountsUnder(top), []);
});

test('--runtime runc runs the same bundle through runc create/start/delete', async (t) => {
  const m = await startMonitor(
    { args: ['sh', '-c', 'echo from runc; grep CapEff /proc/self/status; exit 4'] },
    ['--runtime', 'runc'],
  );
  t.is(m.exitCode, 0, m.stderr);
  const exit = await exitFile(m.state);
  t.is(exit.exitCode, 4);
  const records = parseLog(await readFile(m.log, 'utf8'));
  t.deepEqual(
    records.map((r) => r.log),
    ['from runc\n', 'CapEff:\t00000000a80425fb\n'],
  );
  await waitGone(m.monitorPid);
  const list = await execa('runc', ['list', '-q']);
  t.false(
    String(list.stdout)
      .split('\n')
      .includes(m.state.split('/').at(-1) ?? ''),
  );
});

test('a state dir past sun_path: attach through the dir fd, the exit frame carries the code', async (t) => {
  // <top>/bundle-N/aaaa…/berth-test-… is well over 108 bytes: bind() on the plain path would fail.
  const m = await startMonitor(
    { args: ['sh', '-c', 'echo long; read line; echo "got $line"; exit 6'], nest: 'a'.repeat(90) },
    ['--attach-wait', '--stdin'],
  );
  t.is(m.exitCode, 0, m.stderr);
  t.true(join(m.state, 'attach.sock').length > 108);
  const session = await AttachSession.connect(join(m.state, 'attach.sock'));
  let output = '';
  session.on('stdout', (data) => (output += data.toString()));
  await session.release(false);
  await waitFor(() => (output.includes('long\n') ? true : undefined));
  session.write(Buffer.from('there\n'));
  await session.ended();
  t.is(output, 'long\ngot there\n');
  t.is(session.exitCode, 6);
  t.is((await exitFile(m.state)).exitCode, 6);
});

test('runc under a long state dir gets its console socket through the dir fd too', async (t) => {
  const m = await startMonitor(
    { args: ['sh', '-c', 'stty size; exit 3'], terminal: true, nest: 'b'.repeat(90) },
    ['--runtime', 'runc', '--tty', '--attach-wait'],
  );
  t.is(m.exitCode, 0, m.stderr);
  const session = await AttachSession.connect(join(m.state, 'attach.sock'));
  await session.release(false);
  await session.ended();
  t.is(session.exitCode, 3);
  await waitGone(m.monitorPid);
});

test('--attach-wait with no client ever: the process starts after 10 s instead of hanging', async (t) => {
  const m = await startMonitor({ args: ['sh', '-c', 'echo unattended'] }, ['--attach-wait']);
  t.is(m.exitCode, 0, m.stderr);
  const exit = await exitFile(m.state, 30_000);
  t.is(exit.exitCode, 0);
  t.is(parseLog(await readFile(m.log, 'utf8'))[0]?.log, 'unattended\n');
  await waitGone(m.monitorPid);
});
