// `berth-runtime exec` into a running container: same namespaces, status pass-through, a
// cwd that must resolve inside the container, and the --tty relay driven through node-pty.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pty from 'node-pty';
import { processObject, writeBundle } from './spec-fixture.js';
import {
  RUNTIME,
  assertRuntimeBuilt,
  hostMountsUnder,
  isAlive,
  killIfAlive,
  makeRootfs,
  readPid,
  waitFor,
} from './runtime-fixture.js';

let top = '';
let containerPid = 0;
let monitorPid: number | undefined;
let counter = 0;

test.before(async () => {
  assertRuntimeBuilt();
  top = await mkdtemp(join(tmpdir(), 'berth-native-exec-'));
  const rootfs = await makeRootfs(join(top, 'rootfs'));
  const bundle = join(top, 'bundle');
  const state = join(bundle, 'state');
  await mkdir(state, { recursive: true });
  await writeBundle(bundle, { rootfs, stateDir: state, args: ['sleep', '600'], hostname: 'exec-host' });
  const result = await execa(
    RUNTIME,
    ['monitor', '--bundle', bundle, '--state', state, '--log', join(state, 'log'), '--'],
    {
      reject: false,
    },
  );
  monitorPid = await readPid(join(state, 'monitor.pid'));
  if (result.exitCode !== 0) throw new Error(`monitor failed: ${String(result.stderr)}`);
  containerPid = (await readPid(join(state, 'pid'))) ?? 0;
});

test.after.always(async () => {
  killIfAlive(containerPid || undefined);
  if (monitorPid)
    await waitFor(() => (isAlive(monitorPid ?? 0) ? undefined : true)).catch(() => killIfAlive(monitorPid));
  if (top) await rm(top, { recursive: true, force: true });
});

async function processFile(args: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const file = join(top, `process-${++counter}.json`);
  await writeFile(file, JSON.stringify({ ...processObject({ args, hostname: 'exec-host' }), ...extra }));
  return file;
}

async function exec(args: string[], extra: Record<string, unknown> = {}) {
  const file = await processFile(args, extra);
  const r = await execa(RUNTIME, ['exec', '--pid', String(containerPid), '--process', file], {
    reject: false,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

test('exec sees the same pid namespace and hostname, with the same capabilities', async (t) => {
  const r = await exec(['sh', '-c', 'hostname; ps -o pid,comm; grep CapEff /proc/self/status']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^exec-host$/m);
  t.regex(r.stdout, /^\s*1 sleep$/m);
  t.regex(r.stdout, /CapEff:\t00000000a80425fb/);
});

test('exec passes the exit status through, 127/126 for commands that cannot run', async (t) => {
  t.is((await exec(['sh', '-c', 'exit 4'])).exitCode, 4);
  const missing = await exec(['nope']);
  t.is(missing.exitCode, 127);
  t.is(missing.stderr.trim(), 'berth-runtime: exec: "nope": executable file not found in $PATH');
  t.is((await exec(['/etc/passwd'])).exitCode, 126);
});

test('exec applies cwd and user, and refuses a cwd that does not exist', async (t) => {
  const r = await exec(['sh', '-c', 'pwd; id -u'], { cwd: '/tmp', user: { uid: 65534, gid: 65534 } });
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(r.stdout.split('\n'), ['/tmp', '65534']);
  const bad = await exec(['true'], { cwd: '/no/such/dir' });
  t.is(bad.exitCode, 125);
  t.regex(bad.stderr, /chdir to cwd/);
});

test('exec --tty relays a real terminal: prompt, window size, resize, exit code', async (t) => {
  const file = await processFile(['sh'], { terminal: true });
  const term = pty.spawn(RUNTIME, ['exec', '--tty', '--pid', String(containerPid), '--process', file], {
    cols: 100,
    rows: 30,
    env: { TERM: 'xterm' },
  });
  let output = '';
  term.onData((data) => (output += data));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  try {
    term.write('tty; stty size\r');
    await waitFor(() => (/^30 100\r?$/m.test(output) ? true : undefined));
    t.regex(output, /\/dev\/pts\/\d+/);
    term.resize(120, 40);
    await new Promise((resolve) => setTimeout(resolve, 100));
    term.write('stty size\r');
    await waitFor(() => (/^40 120\r?$/m.test(output) ? true : undefined));
    term.write('exit 6\r');
    t.is(await exited, 6);
  } finally {
    term.kill('SIGKILL');
  }
  t.deepEqual(await hostMountsUnder(top), []);
});
