// The engine's face of the forwarder (startForwarder/stopForwarder) against the real kernel: a
// network namespace with busybox httpd stands in for a container.
import test from 'ava';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PortUnavailableError,
  forwarderArgs,
  forwarderPid,
  parseBindingLine,
  parsePublishSpec,
  portsColumn,
  publishedPorts,
  startForwarder,
  stopForwarder,
} from '../../../source/engine/network/index.js';
import {
  ProcessSet,
  assertForwarderBuilt,
  createNetns,
  running,
  spawnInNetns,
  waitFor,
  waitForListener,
  type Netns,
} from './netns-fixture.js';

const processes = new ProcessSet();
let dir = '';
let netns: Netns;
let stateCount = 0;

async function stateDir(): Promise<string> {
  const path = join(dir, `container-${++stateCount}`);
  await mkdir(path);
  return path;
}

function fetchText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

test.before(async () => {
  assertForwarderBuilt();
  dir = await mkdtemp(join(tmpdir(), 'berth-network-'));
  await mkdir(join(dir, 'www'));
  await writeFile(join(dir, 'www', 'index.html'), 'served\n');
  netns = await createNetns(processes);
  spawnInNetns(processes, netns, ['busybox', 'httpd', '-f', '-p', '127.0.0.1:80', '-h', join(dir, 'www')]);
  await waitForListener(netns, 80);
});

test.after.always(async () => {
  processes.killAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('startForwarder binds -p 80 on loopback to a free port and reports it; stopForwarder frees it', async (t) => {
  const state = await stateDir();
  const started = await startForwarder({ pid: netns.pid, rules: parsePublishSpec('80'), stateDir: state });
  processes.pids.add(started.pid);
  t.is(started.bindings.length, 1);
  const binding = started.bindings[0];
  t.is(binding?.hostIp, '127.0.0.1');
  t.true((binding?.hostPort ?? 0) > 0);
  t.is(await fetchText(binding?.hostPort ?? 0), 'served\n');
  t.is(await forwarderPid(state), started.pid);
  t.is(portsColumn(publishedPorts(started.bindings)), `127.0.0.1:${binding?.hostPort}->80/tcp`);

  t.true(await stopForwarder(state));
  t.false(await running(started.pid));
  t.is(await forwarderPid(state), undefined);
  const again = createServer();
  await new Promise<void>((resolve, reject) =>
    again.once('error', reject).listen(binding?.hostPort, '127.0.0.1', resolve),
  );
  again.close();
  t.false(await stopForwarder(state));
});

test('a port in use is a PortUnavailableError naming the address, and nothing keeps running', async (t) => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => holder.close());
  const address = holder.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const state = await stateDir();
  const error = await t.throwsAsync(
    startForwarder({ pid: netns.pid, rules: parsePublishSpec(`${port}:80`), stateDir: state }),
    {
      instanceOf: PortUnavailableError,
    },
  );
  t.is(error.message, `ports are not available: bind 127.0.0.1:${port}: address already in use`);
  t.is(error.exitCode, 125);
  t.is(await forwarderPid(state), undefined);
});

test('no rules, no forwarder', async (t) => {
  t.deepEqual(await startForwarder({ pid: netns.pid, rules: [], stateDir: await stateDir() }), {
    pid: 0,
    bindings: [],
  });
});

test('waitPidFile: ports claimed before the container exists, served once its pid file appears', async (t) => {
  const state = await stateDir();
  const started = await startForwarder({
    waitPidFile: join(state, 'pid'),
    rules: parsePublishSpec('127.0.0.1::80'),
    stateDir: state,
  });
  processes.pids.add(started.pid);
  const port = started.bindings[0]?.hostPort ?? 0;
  await writeFile(join(state, 'pid.tmp'), String(netns.pid));
  await rename(join(state, 'pid.tmp'), join(state, 'pid'));
  t.is(await fetchText(port), 'served\n');
  await stopForwarder(state);
});

test('a second start for the same container replaces the first', async (t) => {
  const state = await stateDir();
  const first = await startForwarder({ pid: netns.pid, rules: parsePublishSpec('80'), stateDir: state });
  processes.pids.add(first.pid);
  const port = first.bindings[0]?.hostPort ?? 0;
  const second = await startForwarder({
    pid: netns.pid,
    rules: parsePublishSpec(`${port}:80`),
    stateDir: state,
  });
  processes.pids.add(second.pid);
  t.false(await running(first.pid));
  t.is(await fetchText(port), 'served\n');
  await stopForwarder(state);
  await waitFor(async () => ((await running(second.pid)) ? undefined : true));
  t.pass();
});

test('arguments and report lines', (t) => {
  t.deepEqual(
    forwarderArgs({
      pid: 7,
      rules: [
        ...parsePublishSpec('8000-8001:80-81'),
        ...parsePublishSpec('[::1]::53/udp'),
        ...parsePublishSpec('9000-9009:90'),
      ],
      stateDir: '/s',
    }),
    [
      '--pid',
      '7',
      '--pid-file',
      '/s/forward.pid',
      '127.0.0.1:8000:80/tcp',
      '127.0.0.1:8001:81/tcp',
      '[::1]:0:53/udp',
      '127.0.0.1:9000-9009:90/tcp',
    ],
  );
  t.deepEqual(
    forwarderArgs({ pid: 7, rules: parsePublishSpec('80'), stateDir: '/s', pollMicroseconds: 0 }).slice(-3),
    ['--poll-us', '0', '127.0.0.1:0:80/tcp'],
  );
  t.deepEqual(parseBindingLine('[::1]:40000:53/udp'), {
    hostIp: '::1',
    hostPort: 40000,
    containerPort: 53,
    protocol: 'udp',
  });
  t.deepEqual(parseBindingLine('127.0.0.1:18080:80/tcp'), {
    hostIp: '127.0.0.1',
    hostPort: 18080,
    containerPort: 80,
    protocol: 'tcp',
  });
  t.is(parseBindingLine('garbage'), undefined);
});
