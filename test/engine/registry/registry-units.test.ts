/** Pure pieces: challenges, platforms, insecure hosts, Retry-After, login servers, credentials. */
import test from 'ava';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DockerCredentialStore,
  isInsecureRegistry,
  mirrorsFor,
  normalizeLoginServer,
  parseAuthenticate,
  parsePlatform,
  registryApiHost,
  retryAfterMs,
  selectPlatform,
} from '../../../source/engine/registry/index.js';

const dirs: string[] = [];
test.after.always(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test('WWW-Authenticate challenges parse with quoted commas and several schemes', (t) => {
  const [bearer, basic] = parseAuthenticate(
    'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x"',
  );
  t.deepEqual(bearer, {
    scheme: 'bearer',
    params: {
      realm: 'https://auth.example/token',
      service: 'registry.example',
      scope: 'repository:a/b:pull,push',
    },
  });
  t.deepEqual(basic, { scheme: 'basic', params: { realm: 'x' } });
  t.deepEqual(parseAuthenticate('Basic realm=simple'), [{ scheme: 'basic', params: { realm: 'simple' } }]);
});

test('platforms normalise and select like containerd', (t) => {
  t.deepEqual(parsePlatform('linux/aarch64/v8'), { os: 'linux', architecture: 'arm64' });
  t.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  t.deepEqual(parsePlatform('amd64'), { os: 'linux', architecture: 'amd64' });
  t.throws(() => parsePlatform('linux//x'));
  const entries = [
    { name: 'v6', platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { name: 'v7', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { name: 'arm64', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ];
  t.is(selectPlatform(entries, parsePlatform('linux/arm/v6'))?.name, 'v6');
  t.is(selectPlatform(entries, parsePlatform('linux/arm'))?.name, 'v7');
  t.is(selectPlatform(entries, parsePlatform('linux/arm64'))?.name, 'arm64');
  t.is(selectPlatform(entries, parsePlatform('linux/amd64')), undefined);
});

test('insecure registries, Docker Hub host and mirrors', (t) => {
  t.true(isInsecureRegistry('127.0.0.1:5000', []));
  t.true(isInsecureRegistry('localhost', []));
  t.true(isInsecureRegistry('127.9.9.9:1', []));
  t.false(isInsecureRegistry('registry.example:5000', []));
  t.true(isInsecureRegistry('registry.example:5000', ['registry.example:5000']));
  t.true(isInsecureRegistry('10.1.2.3:5000', ['10.0.0.0/8']));
  t.false(isInsecureRegistry('11.1.2.3:5000', ['10.0.0.0/8']));
  t.is(registryApiHost('docker.io'), 'registry-1.docker.io');
  t.is(registryApiHost('ghcr.io'), 'ghcr.io');
  const settings = {
    insecureRegistries: [],
    registryMirrors: ['https://mirror.example', 'mirror2.example:5000'],
  };
  t.deepEqual(mirrorsFor('docker.io', settings).map(String), [
    'https://mirror.example/',
    'https://mirror2.example:5000/',
  ]);
  t.deepEqual(mirrorsFor('ghcr.io', settings), []);
});

test('Retry-After in seconds and as an HTTP date; login server forms', (t) => {
  t.is(retryAfterMs('2'), 2000);
  t.is(retryAfterMs(new Date(10_000).toUTCString(), 4000), 6000);
  t.is(retryAfterMs(undefined), undefined);
  t.is(normalizeLoginServer(undefined), 'docker.io');
  t.is(normalizeLoginServer('https://index.docker.io/v1/'), 'docker.io');
  t.is(normalizeLoginServer('https://Registry.Example:5000/v2/'), 'registry.example:5000');
});

test('credentials: docker auths entries and a docker-credential helper program', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-creds-'));
  dirs.push(dir);
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') },
        'id.example': { identitytoken: 'tok' },
      },
      credHelpers: { 'helped.example': 'berthtest' },
      psFormat: 'keep me',
    }),
  );
  const store = new DockerCredentialStore(dir);
  t.deepEqual(await store.get('https://index.docker.io/v1/'), { username: 'hub', password: 'pw' });
  t.deepEqual(await store.get('id.example'), { identityToken: 'tok', username: undefined });
  t.is(await store.get('none.example'), undefined);

  // A helper program speaking docker's protocol, keeping its secrets in a file.
  const bin = join(dir, 'bin');
  await mkdir(bin);
  const helper = join(bin, 'docker-credential-berthtest');
  await writeFile(
    helper,
    `#!/bin/sh\nstate=${join(dir, 'helper-state')}\ncase "$1" in\n` +
      `store) cat > "$state" ;;\n` +
      `get) read host; if [ -f "$state" ]; then sed 's/"ServerURL":"[^"]*",//' "$state"; else echo "credentials not found in native keychain"; exit 1; fi ;;\n` +
      `erase) rm -f "$state" ;;\nesac\n`,
  );
  await chmod(helper, 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    t.is(await store.get('helped.example'), undefined);
    await store.store('helped.example', { username: 'u', password: 'p' });
    t.deepEqual(await store.get('helped.example'), { username: 'u', password: 'p' });
    t.true(await store.erase('helped.example'));
  } finally {
    process.env.PATH = path;
  }
  await store.store('new.example', { username: 'n', password: 'm' });
  const written = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  t.is(written.psFormat, 'keep me');
  t.true(await store.erase('new.example'));
  t.false(await store.erase('new.example'));
});
