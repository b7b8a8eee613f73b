/**
 * Test registries: Debian's real docker-registry (distribution 2.8) on 127.0.0.1 with a free
 * port and storage in a temp dir, in three setups — plain http, htpasswd Basic over TLS with a
 * CA the test makes (openssl), and token auth with a small RS256 token issuer the registry
 * verifies itself (auth.token + rootcertbundle). Plus a fault-injecting HTTP proxy to put in
 * front of one. Callers stop what they start in test.after.always.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface TestCa {
  dir: string;
  caCert: string;
  /** Issues a server certificate for 127.0.0.1/localhost signed by the CA. */
  serverCert: string;
  serverKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

export async function makeTestCa(dir: string): Promise<TestCa> {
  await mkdir(dir, { recursive: true });
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=berth test CA',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    ],
    dir,
  );
  await writeFile(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ],
    dir,
  );
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}

/** Puts the CA where berth looks for <host:port>/*.crt (a temp certs.d, never /etc). */
export async function installCa(certsDir: string, host: string, ca: TestCa): Promise<void> {
  await mkdir(join(certsDir, host), { recursive: true });
  await copyFile(ca.caCert, join(certsDir, host, 'ca.crt'));
}

/** bcrypt through libxcrypt's crypt(3), which perl exposes (registry htpasswd wants bcrypt). */
export function bcrypt(password: string): string {
  const salt = randomBytes(16)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '.')
    .slice(0, 22);
  return execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`], {
    encoding: 'utf8',
  });
}

export interface TokenIssuer {
  realm: string;
  service: string;
  issuer: string;
  certBundle: string;
  /** Every token request seen (for asserting caching and scopes). */
  requests: Array<{ account?: string; scopes: string[]; authorized: boolean }>;
  close(): Promise<void>;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * A token server per the distribution token spec: Basic credentials checked against `users`;
 * anonymous callers get pull on everything (like a public registry), users get pull+push.
 */
export async function startTokenIssuer(dir: string, users: Record<string, string>): Promise<TokenIssuer> {
  await mkdir(dir, { recursive: true });
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'token.key',
      '-out',
      'token.crt',
      '-days',
      '2',
      '-subj',
      '/CN=berth token issuer',
    ],
    dir,
  );
  const key = await readFile(join(dir, 'token.key'), 'utf8');
  const certPem = await readFile(join(dir, 'token.crt'), 'utf8');
  const der = new X509Certificate(certPem).raw.toString('base64');
  const service = 'berth-test-registry';
  const issuer = 'berth-test-issuer';
  const requests: TokenIssuer['requests'] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    const auth = request.headers.authorization;
    let account: string | undefined;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString();
      const user = decoded.slice(0, decoded.indexOf(':'));
      const password = decoded.slice(decoded.indexOf(':') + 1);
      if (users[user] !== password) {
        requests.push({ account: user, scopes, authorized: false });
        response.writeHead(401, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      account = user;
    }
    requests.push({ account, scopes, authorized: true });
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const wanted = actions.split(',');
      return [{ type, name, actions: account ? wanted : wanted.filter((action) => action === 'pull') }];
    });
    const now = Math.floor(Date.now() / 1000);
    const headerPart = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: account ?? '',
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const signer = createSign('RSA-SHA256');
    signer.update(`${headerPart}.${claims}`);
    const token = `${headerPart}.${claims}.${base64url(signer.sign(key))}`;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(
      JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
    );
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certBundle: join(dir, 'token.crt'),
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface RegistryOptions {
  tls?: TestCa;
  htpasswd?: Record<string, string>;
  token?: TokenIssuer;
}

export interface RegistryServer {
  /** 127.0.0.1:<port>, the reference domain to use. */
  host: string;
  url: string;
  dir: string;
  process: ChildProcess;
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (options.tls)
    lines.push('  tls:', `    certificate: ${options.tls.serverCert}`, `    key: ${options.tls.serverKey}`);
  if (options.htpasswd) {
    const file = join(dir, 'htpasswd');
    await writeFile(
      file,
      Object.entries(options.htpasswd)
        .map(([user, password]) => `${user}:${bcrypt(password)}\n`)
        .join(''),
    );
    lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${file}`);
  } else if (options.token) {
    const t = options.token;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${t.realm}`,
      `    service: ${t.service}`,
      `    issuer: ${t.issuer}`,
      `    rootcertbundle: ${t.certBundle}`,
    );
  }
  await writeFile(join(dir, 'config.yml'), lines.join('\n') + '\n');
  const logFile = join(dir, 'registry.log');
  const { openSync } = await import('node:fs');
  const logFd = openSync(logFile, 'a');
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', logFd, logFd],
  });
  const scheme = options.tls ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  const server: RegistryServer = {
    host: `127.0.0.1:${port}`,
    url,
    dir,
    process: child,
    log: () => readFile(logFile, 'utf8'),
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(3000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${await server.log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const client = options.tls ? https : http;
      const request = client.get(`${url}/v2/`, { rejectUnauthorized: false }, (response) => {
        response.resume();
        resolve(true);
      });
      request.on('error', () => resolve(false));
    });
    if (ok) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error('docker-registry did not start');
    }
    await sleep(50);
  }
}

/** What the proxy does with one request: pass it on, or break it in a chosen way. */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'die-after'; bytes: number }
  | { kind: 'tamper'; offset: number };

export interface FaultProxy {
  host: string;
  /** Requests seen, in order (method, path, range header, the fault applied). */
  seen: Array<{ method: string; path: string; range?: string; fault: Fault['kind'] }>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real (plain http) registry. `decide` picks a fault per request;
 * Location headers are rewritten so uploads keep going through the proxy.
 */
export async function startFaultProxy(
  target: RegistryServer,
  decide: (request: IncomingMessage) => Fault,
): Promise<FaultProxy> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const seen: FaultProxy['seen'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
    const fault = decide(request);
    seen.push({
      method: request.method ?? '',
      path: request.url ?? '',
      range: request.headers.range,
      fault: fault.kind,
    });
    if (fault.kind === 'status') {
      request.resume();
      response.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
      response.end(
        JSON.stringify({
          errors: [{ code: fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN', message: 'injected' }],
        }),
      );
      return;
    }
    const upstream = http.request(
      `${target.url}${request.url}`,
      { method: request.method, headers: { ...request.headers, host: target.host } },
      (answer) => {
        const headers = { ...answer.headers };
        if (typeof headers.location === 'string')
          headers.location = headers.location.replace(target.url, `http://${host}`);
        response.writeHead(answer.statusCode ?? 502, headers);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          let data = chunk;
          if (fault.kind === 'tamper' && sent <= fault.offset && fault.offset < sent + data.length) {
            data = Buffer.from(data);
            data[fault.offset - sent] = data[fault.offset - sent]! ^ 0xff;
          }
          if (fault.kind === 'die-after' && sent + data.length >= fault.bytes) {
            response.write(data.subarray(0, Math.max(0, fault.bytes - sent)));
            answer.destroy();
            response.socket?.destroy();
            return;
          }
          sent += data.length;
          response.write(data);
        });
        answer.on('end', () => response.end());
      },
    );
    upstream.on('error', () => response.socket?.destroy());
    request.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
