// berth-forward against the real kernel: a network namespace stands in for a container (a
// sleep as its init, loopback up), servers run inside it, and clients on the host go through
// the forwarder on loopback. Host ports are chosen by the kernel (port 0) unless a test needs
// a known one, so parallel runs do not collide.
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FORWARD_BINARY,
  ProcessSet,
  assertForwarderBuilt,
  cpuTimeMs,
  createNetns,
  nodeServerInNetns,
  running,
  spawnInNetns,
  waitFor,
  waitForListener,
  type Netns,
} from '../engine/network/netns-fixture.js';

const processes = new ProcessSet();
let dir = '';
let netns: Netns;
let bigSha = '';
let counter = 0;

const TCP_ECHO = `
const net = require('node:net');
net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s)).listen(7000, '127.0.0.1', () => console.log('ready'));`;
// busybox httpd listens with a backlog of 9: 200 simultaneous connections overflow it and the
// kernel resets some of them even without a forwarder (SYN cookies fail). The parallel test is
// about the forwarder, so it uses a server with Node's backlog of 511.
const HTTP_FILES = (root: string): string => `
const fs = require('node:fs');
require('node:http').createServer((req, res) => {
  const body = fs.readFileSync(require('node:path').join(${JSON.stringify(root)}, req.url));
  res.writeHead(200, { 'content-length': body.length });
  res.end(body);
}).listen(8080, '127.0.0.1', 511, () => console.log('ready'));`;
const UDP_ECHO = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(String(m) === 'port?' ? String(r.port) : Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
s.bind(5353, '127.0.0.1', () => console.log('ready'));`;

interface Forwarder {
  pid: number;
  pidFile: string;
  bindings: string[];
}

function runForwarder(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(FORWARD_BINARY, args, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function startForwarder(target: string[], rules: string[]): Promise<Forwarder> {
  const pidFile = join(dir, `forward-${++counter}.pid`);
  const result = await runForwarder([...target, '--pid-file', pidFile, ...rules]);
  if (result.code !== 0) throw new Error(`forwarder exited ${result.code}: ${result.stderr}`);
  const pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
  processes.pids.add(pid);
  return { pid, pidFile, bindings: result.stdout.trim().split('\n') };
}

function portOf(binding: string | undefined): number {
  const match = /:(\d+):\d+\/(tcp|udp)$/.exec(binding ?? '');
  if (!match) throw new Error(`no binding in ${binding}`);
  return Number(match[1]);
}

function httpGet(port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

test.before(async () => {
  assertForwarderBuilt();
  dir = await mkdtemp(join(tmpdir(), 'berth-forward-'));
  await mkdir(join(dir, 'www'));
  await writeFile(join(dir, 'www', 'index.html'), 'hello from the namespace\n');
  const big = randomBytes(1024 * 1024);
  bigSha = sha(big);
  await writeFile(join(dir, 'www', 'big'), big);
  netns = await createNetns(processes);
  spawnInNetns(processes, netns, ['busybox', 'httpd', '-f', '-p', '127.0.0.1:80', '-h', join(dir, 'www')]);
  await waitForListener(netns, 80);
  await nodeServerInNetns(processes, netns, TCP_ECHO);
  await nodeServerInNetns(processes, netns, UDP_ECHO);
  await nodeServerInNetns(processes, netns, HTTP_FILES(join(dir, 'www')));
});

test.after.always(async () => {
  processes.killAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('an HTTP GET through the forwarder reaches busybox httpd in the namespace', async (t) => {
  const forwarder = await startForwarder(['--pid', String(netns.pid)], ['127.0.0.1:0:80/tcp']);
  t.regex(forwarder.bindings[0] ?? '', /^127\.0\.0\.1:\d+:80\/tcp$/);
  const response = await httpGet(portOf(forwarder.bindings[0]), '/');
  t.is(response.status, 200);
  t.is(response.body.toString(), 'hello from the namespace\n');
});

test('200 parallel requests of 1 MB all arrive intact', async (t) => {
  const forwarder = await startForwarder(['--pid', String(netns.pid)], ['127.0.0.1:0:8080/tcp']);
  const port = portOf(forwarder.bindings[0]);
  const responses = await Promise.all(Array.from({ length: 200 }, () => httpGet(port, '/big')));
  t.true(responses.every((response) => response.status === 200));
  t.deepEqual(new Set(responses.map((response) => sha(response.body))), new Set([bigSha]));
  t.true(await running(forwarder.pid));
});

test('a half-close passes through after every byte, both ways', async (t) => {
  const forwarder = await startForwarder(['--netns', netns.nsPath], ['127.0.0.1:0:7000/tcp']);
  const payload = randomBytes(6 * 1024 * 1024 + 17);
  const echoed = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: portOf(forwarder.bindings[0]), allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.end(payload);
  });
  t.is(echoed.length, payload.length);
  t.is(sha(echoed), sha(payload));
});

test('UDP datagrams reach the namespace and replies find each client', async (t) => {
  const forwarder = await startForwarder(['--pid', String(netns.pid)], ['127.0.0.1:0:5353/udp']);
  const port = portOf(forwarder.bindings[0]);
  const ask = async (message: string): Promise<string> => {
    const socket = createSocket('udp4');
    try {
      return await new Promise<string>((resolve, reject) => {
        const retry = setInterval(() => socket.send(message, port, '127.0.0.1'), 200);
        socket.once('message', (reply) => {
          clearInterval(retry);
          resolve(reply.toString());
        });
        socket.once('error', reject);
        socket.send(message, port, '127.0.0.1');
      });
    } finally {
      socket.close();
    }
  };
  t.deepEqual(await Promise.all([ask('one'), ask('two'), ask('three')]), [
    'echo:one',
    'echo:two',
    'echo:three',
  ]);
});

test('a UDP client keeps its flow while active and gets a new one after the idle timeout', async (t) => {
  const forwarder = await startForwarder(
    ['--pid', String(netns.pid), '--udp-timeout', '1'],
    ['127.0.0.1:0:5353/udp'],
  );
  const port = portOf(forwarder.bindings[0]);
  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const sourcePort = (): Promise<string> =>
    new Promise((resolve) => {
      socket.once('message', (reply) => resolve(reply.toString()));
      socket.send('port?', port, '127.0.0.1');
    });
  const first = await sourcePort();
  t.is(await sourcePort(), first);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  t.not(await sourcePort(), first);
});

test('a host port already in use is one clear line and exit 125, before anything runs', async (t) => {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const pidFile = join(dir, 'busy.pid');
    const result = await runForwarder([
      '--pid',
      String(netns.pid),
      '--pid-file',
      pidFile,
      '127.0.0.1:0:80/tcp',
      `127.0.0.1:${port}:80/tcp`,
    ]);
    t.is(result.code, 125);
    t.is(result.stderr, `berth-forward: bind 127.0.0.1:${port}: address already in use\n`);
    t.is(result.stdout, '');
    t.false(existsSync(pidFile));
  } finally {
    holder.close();
  }
});

test('bad arguments and a missing process are refused with exit 125', async (t) => {
  const bad = await runForwarder(['--pid', String(netns.pid), '127.0.0.1:80/tcp']);
  t.is(bad.code, 125);
  t.regex(bad.stderr, /^berth-forward: invalid rule 127\.0\.0\.1:80\/tcp/);
  const poll = await runForwarder(['--poll-us', '200000', '--pid', String(netns.pid), '127.0.0.1:0:80/tcp']);
  t.is(poll.code, 125);
  t.regex(poll.stderr, /^berth-forward: invalid --poll-us: 200000 \(at most 100000\)/);
  const gone = await runForwarder(['--pid', '999999999', '127.0.0.1:0:80/tcp']);
  t.is(gone.code, 125);
  t.regex(gone.stderr, /no such process|invalid --pid/);
});

test('nothing listening in the container: the client is closed, the forwarder keeps serving', async (t) => {
  const forwarder = await startForwarder(
    ['--pid', String(netns.pid)],
    ['127.0.0.1:0:81/tcp', '127.0.0.1:0:80/tcp'],
  );
  const received = await new Promise<number>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: portOf(forwarder.bindings[0]) });
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(bytes));
  });
  t.is(received, 0);
  t.is((await httpGet(portOf(forwarder.bindings[1]), '/')).status, 200);
});

test('the forwarder exits when the container init dies, and frees its ports', async (t) => {
  const own = await createNetns(processes);
  const forwarder = await startForwarder(
    ['--pid', String(own.pid)],
    ['127.0.0.1:0:80/tcp', '127.0.0.1:0:53/udp'],
  );
  process.kill(own.pid, 'SIGKILL');
  await waitFor(async () => ((await running(forwarder.pid)) ? undefined : true));
  t.false(existsSync(forwarder.pidFile));
  const again = createServer();
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.listen(portOf(forwarder.bindings[0]), '127.0.0.1', resolve);
  });
  again.close();
  t.pass();
});

/** `count` 64-byte messages echoed one at a time; resolves with the still-open socket once every
 * echo matched its message (each differs, so a reordered or lost byte shows). */
function pingPong(port: number, count: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    let sent = 0;
    let pending = Buffer.alloc(0);
    const message = (n: number): Buffer => Buffer.alloc(64, n % 251);
    socket.on('connect', () => socket.write(message(sent++)));
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 64) {
        if (!pending.subarray(0, 64).equals(message(sent - 1)))
          return reject(new Error(`echo ${sent} differs`));
        pending = pending.subarray(64);
        if (sent === count) return resolve(socket);
        socket.write(message(sent++));
      }
    });
    socket.on('error', reject);
  });
}

test('chatty round trips pass intact, and once they stop the forwarder sleeps (its polling ends)', async (t) => {
  for (const poll of [[], ['--poll-us', '0'], ['--poll-us', '2000']]) {
    const forwarder = await startForwarder(['--pid', String(netns.pid), ...poll], ['127.0.0.1:0:7000/tcp']);
    const socket = await pingPong(portOf(forwarder.bindings[0]), 2000);
    try {
      // The connection stays open but quiet: a forwarder still polling would burn a whole CPU
      // (1000 ms a second); one that went back to epoll's sleep uses none.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = await cpuTimeMs(forwarder.pid);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      t.true((await cpuTimeMs(forwarder.pid)) - before <= 50, `${poll.join(' ') || 'default'}: still busy`);
    } finally {
      socket.destroy();
      process.kill(forwarder.pid, 'SIGTERM');
    }
  }
});

test('SIGTERM stops it and removes its pid file', async (t) => {
  const forwarder = await startForwarder(['--pid', String(netns.pid)], ['127.0.0.1:0:80/tcp']);
  process.kill(forwarder.pid, 'SIGTERM');
  await waitFor(async () => ((await running(forwarder.pid)) ? undefined : true));
  t.false(existsSync(forwarder.pidFile));
});

test('--wait-pid-file claims the port first and serves once the pid appears; a stale pid is ignored', async (t) => {
  const state = join(dir, 'state');
  await mkdir(state);
  // An earlier run's pid, written before the forwarder starts: must not be used.
  await writeFile(join(state, 'pid'), '1\n');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const forwarder = await startForwarder(['--wait-pid-file', join(state, 'pid')], ['127.0.0.1:0:80/tcp']);
  const early = httpGet(portOf(forwarder.bindings[0]), '/');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await writeFile(join(state, 'pid.tmp'), `${netns.pid}\n`);
  await import('node:fs/promises').then((fs) => fs.rename(join(state, 'pid.tmp'), join(state, 'pid')));
  const response = await early;
  t.is(response.status, 200);
  t.is(response.body.toString(), 'hello from the namespace\n');
});

test('an explicit address and a busy range take the first free port of the range', async (t) => {
  const blocker = spawn(FORWARD_BINARY, ['--foreground', '--pid', String(netns.pid), '127.0.0.1:0:80/tcp'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  processes.add(blocker);
  const line = await new Promise<string>((resolve) =>
    blocker.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  const busy = portOf(line);
  const forwarder = await startForwarder(
    ['--pid', String(netns.pid)],
    [`127.0.0.1:${busy}-${busy + 1}:80/tcp`],
  );
  t.is(forwarder.bindings[0], `127.0.0.1:${busy + 1}:80/tcp`);
  blocker.kill('SIGTERM');
});

test('out of descriptors it pauses accepting and still serves every client', async (t) => {
  // 40 descriptors leave room for about 5 connections at a time (6 each): the rest wait in the backlog.
  const pidFile = join(dir, 'few-fds.pid');
  const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      'prlimit',
      [
        '--nofile=40:40',
        FORWARD_BINARY,
        '--pid',
        String(netns.pid),
        '--pid-file',
        pidFile,
        '127.0.0.1:0:8080/tcp',
      ],
      (error, stdout) => resolve({ code: error ? 1 : 0, stdout }),
    );
  });
  t.is(result.code, 0);
  processes.pids.add(Number.parseInt(await readFile(pidFile, 'utf8'), 10));
  const port = portOf(result.stdout.trim());
  const responses = await Promise.all(Array.from({ length: 60 }, () => httpGet(port, '/big')));
  t.deepEqual(new Set(responses.map((response) => sha(response.body))), new Set([bigSha]));
});

test('an IPv6 loopback host address is honoured', async (t) => {
  const forwarder = await startForwarder(['--pid', String(netns.pid)], ['[::1]:0:80/tcp']);
  t.regex(forwarder.bindings[0] ?? '', /^\[::1\]:\d+:80\/tcp$/);
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      { host: '::1', port: portOf(forwarder.bindings[0]), path: '/', agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end();
  });
  t.is(body, 'hello from the namespace\n');
});
