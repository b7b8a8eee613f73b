// Published ports and network modes through the built CLI, against the real kernel: a busybox
// httpd reached from the host through the forwarder, -P, a busy port, container: mode, --add-host.
import test from 'ava';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine } from '../../source/engine/index.js';
import { berth } from '../helpers/cli.js';
import { busyboxRootfsTar, seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

const MEGABYTE = 1024 * 1024;
let root = '';
let www = '';
let bigSha = '';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A port nothing listens on now (the kernel's choice of a free one). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface Reply {
  status: number;
  body: Buffer;
}

function get(port: number, path: string): Promise<Reply> {
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

/**
 * A GET that retries what busybox httpd does under load (a listen backlog of 9: bursts are reset)
 * and a server still starting; any other failure, or a wrong answer, is the test's.
 */
async function getWithRetry(port: number, path: string, attempts = 50): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    try {
      const reply = await get(port, path);
      if (reply.status === 200 || attempt >= attempts) return reply;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (attempt >= attempts || !['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(code)) throw error;
    }
    await sleep(Math.min(20 * attempt, 200));
  }
}

async function run(args: string[]): Promise<string> {
  const result = await berth(root, args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')}: ${result.exitCode}\n${result.stderr}`);
  return result.stdout.trim();
}

async function containerDir(nameOrId: string): Promise<string> {
  const id = await run(['inspect', '-f', '{{.Id}}', nameOrId]);
  return join(root, 'containers', id);
}

/** The forwarder's pid while one runs for the container, from the forward.pid it writes. */
async function forwarderPidOf(nameOrId: string): Promise<number> {
  return Number(await readFile(join(await containerDir(nameOrId), 'forward.pid'), 'utf8').catch(() => '0'));
}

/** Alive and not a zombie waiting for its reaper. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
}

/** Runs `fn` with at most `limit` of them in flight. */
async function pool<T>(count: number, limit: number, fn: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await fn(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

const httpd = (port = 80): string[] => ['httpd', '-f', '-p', String(port), '-h', '/www'];

test.before(async () => {
  cleanUpOnTermination(() => root);
  root = await mkdtemp('/tmp/bp-');
  await seedBusybox(root);
  // The same busybox with `EXPOSE 80`, for -P.
  const engine = await createEngine({ root });
  await engine.images.importRootfs(createReadStream(await busyboxRootfsTar()), {
    ref: 'busybox:exposed',
    changes: ['CMD ["sh"]', 'EXPOSE 80'],
  });
  www = join(root, 'www');
  await mkdir(www);
  const big = Buffer.alloc(MEGABYTE);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  bigSha = sha256(big);
  await writeFile(join(www, 'big'), big);
  await writeFile(join(www, 'index.html'), 'hello from the container\n');
});

test.after.always(async () => {
  if (!root) return;
  const ids = await readdir(join(root, 'containers')).catch(() => [] as string[]);
  const containerIds = ids.filter((name) => /^[0-9a-f]{64}$/.test(name));
  if (containerIds.length > 0) await berth(root, ['rm', '-f', ...containerIds]).catch(() => undefined);
  // Kills by pid whatever rm left: monitors, container processes and forwarders (forward.pid).
  await destroyStore(root);
});

test.serial(
  '-p host:80 serves httpd to the host; port, ps and inspect show it; stop ends the forwarder',
  async (t) => {
    const port = await freePort();
    await run([
      'run',
      '-d',
      '--name',
      'web',
      '-p',
      `${port}:80`,
      '-v',
      `${www}:/www:ro`,
      'busybox',
      ...httpd(),
    ]);
    const index = await getWithRetry(port, '/index.html');
    t.is(index.status, 200);
    t.is(index.body.toString(), 'hello from the container\n');

    const mapping = `127.0.0.1:${port}->80/tcp`;
    t.is(await run(['port', 'web']), `80/tcp -> 127.0.0.1:${port}`);
    t.is(await run(['port', 'web', '80']), `127.0.0.1:${port}`);
    t.is(await run(['ps', '--filter', 'name=web', '--format', '{{.Ports}}']), mapping);
    const ps = await run(['ps']);
    t.true(ps.includes(mapping), ps);
    t.deepEqual(JSON.parse(await run(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'web'])), {
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });
    const missing = await berth(root, ['port', 'web', '81']);
    t.is(missing.exitCode, 1);
    t.regex(missing.stderr, /No public port '81' published for web/);

    // 200 requests of 1 MB, at most 8 in flight (httpd's backlog is 9), each checked by sha256.
    const started = Date.now();
    const hashes = await pool(200, 8, async () => {
      const reply = await getWithRetry(port, '/big');
      return reply.status === 200 && reply.body.length === MEGABYTE
        ? sha256(reply.body)
        : `bad ${reply.status}`;
    });
    const seconds = (Date.now() - started) / 1000;
    t.is(hashes.filter((hash) => hash === bigSha).length, 200);
    t.log(`200 x 1 MB through the forwarder in ${seconds.toFixed(2)} s (${(200 / seconds).toFixed(0)} MB/s)`);

    const forwarder = await forwarderPidOf('web');
    t.true(forwarder > 0 && (await alive(forwarder)), `forwarder ${forwarder}`);
    await run(['stop', '-t', '1', 'web']);
    t.false(await alive(forwarder), 'the forwarder outlived the container');
    await t.throwsAsync(get(port, '/index.html'), { code: 'ECONNREFUSED' });
    t.is(await run(['port', 'web']), '');
    t.is(await run(['ps', '-a', '--filter', 'name=web', '--format', '{{.Ports}}']), '');

    // A second start publishes the same port again, through a new forwarder.
    await run(['start', 'web']);
    t.is((await getWithRetry(port, '/index.html')).status, 200);
    const again = await forwarderPidOf('web');
    t.true(again > 0 && again !== forwarder);
    await run(['rm', '-f', 'web']);
    t.false(await alive(again), 'the forwarder outlived rm -f');
  },
);

test.serial('-P publishes every EXPOSEd port (and -p 80, --expose) on a free host port', async (t) => {
  await run([
    'run',
    '-d',
    '--name',
    'all',
    '-P',
    '--expose',
    '8081/udp',
    '-v',
    `${www}:/www:ro`,
    'busybox:exposed',
    ...httpd(),
  ]);
  const lines = (await run(['port', 'all'])).split('\n');
  t.is(lines.length, 2, lines.join('\n'));
  const tcp = /^80\/tcp -> 127\.0\.0\.1:(\d+)$/.exec(lines[0] ?? '');
  t.truthy(tcp, lines.join('\n'));
  t.regex(lines[1] ?? '', /^8081\/udp -> 127\.0\.0\.1:\d+$/);
  const port = Number(tcp?.[1]);
  t.true(port > 1024 && port !== 80);
  t.is((await getWithRetry(port, '/index.html')).body.toString(), 'hello from the container\n');
  t.deepEqual(JSON.parse(await run(['inspect', '-f', '{{json .Config.ExposedPorts}}', 'all'])), {
    '80/tcp': {},
    '8081/udp': {},
  });

  // `-p 80` alone: a random host port, on loopback.
  await run(['run', '-d', '--name', 'one', '-p', '80', '-v', `${www}:/www:ro`, 'busybox', ...httpd()]);
  const address = await run(['port', 'one', '80/tcp']);
  t.regex(address, /^127\.0\.0\.1:\d+$/);
  t.is((await getWithRetry(Number(address.split(':')[1]), '/index.html')).status, 200);
  await run(['rm', '-f', 'all', 'one']);
});

test.serial('a host port in use fails run with 125 and leaves no process and no forwarder', async (t) => {
  const port = await freePort();
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
  try {
    const result = await berth(root, [
      'run',
      '-d',
      '--name',
      'busy',
      '-p',
      `${port}:80`,
      'busybox',
      'sleep',
      '60',
    ]);
    t.is(result.exitCode, 125);
    t.regex(
      result.stderr,
      new RegExp(`ports are not available: bind 127\\.0\\.0\\.1:${port}: address already in use`),
    );
    const state = JSON.parse(await run(['inspect', '-f', '{{json .State}}', 'busy'])) as {
      Status: string;
      Pid: number;
    };
    t.is(state.Status, 'created');
    t.is(state.Pid, 0);
    const dir = await containerDir('busy');
    const files = await readdir(dir);
    t.false(files.includes('forward.pid'), files.join(' '));
    t.false(files.includes('pid'), files.join(' '));
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    t.false(mounts.includes(dir), 'the rootfs stayed mounted');
    t.is(await run(['ps', '-q', '--filter', 'name=busy']), '');
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
  // Once the port is free, the same container starts.
  await run(['start', 'busy']);
  t.regex(await run(['port', 'busy']), new RegExp(`^80/tcp -> 127\\.0\\.0\\.1:${port}$`));
  await run(['rm', '-f', 'busy']);
});

test.serial('--network container:<first> shares loopback, /etc/hosts and the hostname', async (t) => {
  await run([
    'run',
    '-d',
    '--name',
    'first',
    '--add-host',
    'peer.test:127.0.0.7',
    '-v',
    `${www}:/www:ro`,
    'busybox',
    ...httpd(8080),
  ]);
  const hosts = await readFile(join(await containerDir('first'), 'hosts'), 'utf8');
  t.regex(hosts, /^127\.0\.0\.7\tpeer\.test$/m);
  const firstHostname = await run(['inspect', '-f', '{{.Config.Hostname}}', 'first']);
  // The second container reaches the first one's httpd over 127.0.0.1 with busybox nc.
  const script = [
    'for i in 1 2 3 4 5 6 7 8 9 10; do',
    '  out=$(printf "GET /index.html HTTP/1.0\\r\\n\\r\\n" | nc 127.0.0.1 8080) && [ -n "$out" ] && break; sleep 0.2;',
    'done',
    'echo "$out" | tail -n 1',
    'echo ---; cat /etc/hosts; echo ---; hostname',
  ].join('\n');
  const second = await berth(root, [
    'run',
    '--rm',
    '--network',
    'container:first',
    'busybox',
    'sh',
    '-c',
    script,
  ]);
  t.is(second.exitCode, 0, second.stderr);
  const [served, sharedHosts, hostname] = second.stdout.split('---\n');
  t.is(served, 'hello from the container\n');
  t.is(sharedHosts, hosts);
  t.is(hostname?.trim(), firstHostname);

  // docker's refusals with container: mode, before anything is created.
  for (const flags of [
    ['-p', '8080'],
    ['-P'],
    ['--expose', '81'],
    ['--add-host', 'a:127.0.0.8'],
    ['--hostname', 'x'],
  ]) {
    const refused = await berth(root, [
      'create',
      '--network',
      'container:first',
      ...flags,
      'busybox',
      'true',
    ]);
    t.is(refused.exitCode, 125, `${flags.join(' ')}: ${refused.stderr}`);
    t.regex(refused.stderr, /conflicting options/);
  }
  // inspect points a joined container's /etc files at the ones it shares: the first container's.
  const firstDir = await containerDir('first');
  await run(['create', '--name', 'joined', '--network', 'container:first', 'busybox', 'true']);
  const [joined] = JSON.parse(await run(['inspect', 'joined'])) as Array<{
    HostsPath: string;
    ResolvConfPath: string;
    HostnamePath: string;
  }>;
  t.is(joined?.HostsPath, join(firstDir, 'hosts'));
  t.is(joined?.ResolvConfPath, join(firstDir, 'resolv.conf'));
  t.is(joined?.HostnamePath, join(firstDir, 'hostname'));
  t.is(await readFile(joined?.HostsPath ?? '', 'utf8'), hosts);
  await run(['rm', 'joined']);

  const missing = await berth(root, ['create', '--network', 'container:nosuch', 'busybox', 'true']);
  t.not(missing.exitCode, 0);
  t.regex(missing.stderr, /nosuch/);
  await run(['rm', '-f', 'first']);
});

test.serial(
  '--add-host, --dns and --hostname land in /etc; -p with host networking is warned about',
  async (t) => {
    const result = await berth(root, [
      'run',
      '--rm',
      '--hostname',
      'boxy',
      '--add-host',
      'db.test:127.0.0.9',
      '--add-host',
      'cache.test=127.0.0.10',
      '--dns',
      '127.0.0.53',
      '--dns-search',
      'example.test',
      'busybox',
      'sh',
      '-c',
      'cat /etc/hosts /etc/resolv.conf; hostname',
    ]);
    t.is(result.exitCode, 0, result.stderr);
    t.regex(result.stdout, /^127\.0\.0\.9\tdb\.test$/m);
    t.regex(result.stdout, /^127\.0\.0\.10\tcache\.test$/m);
    t.regex(result.stdout, /^127\.0\.0\.1\tboxy$/m);
    t.regex(result.stdout, /^nameserver 127\.0\.0\.53$/m);
    t.regex(result.stdout, /^search example\.test$/m);
    t.regex(result.stdout, /^boxy$/m);

    const bad = await berth(root, ['create', '--add-host', 'nocolon', 'busybox', 'true']);
    t.is(bad.exitCode, 125);
    t.regex(bad.stderr, /--add-host/);

    const host = await berth(root, [
      'create',
      '--name',
      'hostnet',
      '--network',
      'host',
      '-p',
      '8080:80',
      'busybox',
      'true',
    ]);
    t.is(host.exitCode, 0, host.stderr);
    t.regex(host.stderr, /Published ports are discarded when using host network mode/);
    t.is(await run(['inspect', '-f', '{{.HostConfig.NetworkMode}}', 'hostnet']), 'host');
    await run(['rm', 'hostnet']);
  },
);
