/**
 * Auth against real registries: htpasswd Basic over TLS with a test CA in a temp certs.d, and
 * token auth where the registry verifies RS256 tokens from a small issuer the test runs.
 * Credentials go to a temp DOCKER_CONFIG in docker's format.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  installCa,
  makeTestCa,
  startRegistry,
  startTokenIssuer,
  type RegistryServer,
  type TokenIssuer,
} from '../../helpers/registry-server.js';
import { buildImage } from './image-fixture.js';
import { openTestStore, type TestStore } from './registry-test-setup.js';
import { HttpTransport, RegistryClient } from '../../../source/engine/registry/index.js';

let dir: string;
let tlsRegistry: RegistryServer;
let tokenRegistry: RegistryServer;
let issuer: TokenIssuer;
const opened: TestStore[] = [];

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-registry-auth-'));
  const ca = await makeTestCa(join(dir, 'ca'));
  tlsRegistry = await startRegistry({ tls: ca, htpasswd: { alice: 's3cret' } });
  await installCa(join(dir, 'certs.d'), tlsRegistry.host, ca);
  issuer = await startTokenIssuer(join(dir, 'token'), { bob: 'hunter2' });
  tokenRegistry = await startRegistry({ token: issuer });
});

test.after.always(async () => {
  for (const store of opened) await store.dispose();
  await tlsRegistry?.stop();
  await tokenRegistry?.stop();
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function store(dockerConfigDir = join(dir, 'docker')): Promise<TestStore> {
  const result = await openTestStore({ certsDir: join(dir, 'certs.d'), dockerConfigDir });
  opened.push(result);
  return result;
}

test.serial('certs.d CAs are what make the TLS registry trusted', async (t) => {
  const verify = (certsDir: string) =>
    new RegistryClient({
      domain: tlsRegistry.host,
      transport: new HttpTransport(certsDir),
      insecureRegistries: [],
      credentials: async () => undefined,
      // Loopback is insecure by default; the check below must verify, so use a mirror-style base.
      baseUrl: new URL(tlsRegistry.url),
    });
  const trusted = verify(join(dir, 'certs.d'));
  t.is((await trusted.pingChallenge())?.scheme, 'basic');
  // Without the CA, the same registry fails TLS verification… unless it is insecure (loopback).
  const untrusted = new HttpTransport(join(dir, 'empty-certs.d'));
  const error = await t.throwsAsync(
    untrusted.request({ method: 'GET', url: new URL(`${tlsRegistry.url}/v2/`) }),
  );
  t.regex(error.message, /self[- ]signed|unable to verify|certificate/i);
  await untrusted.close();
});

test.serial('Basic over TLS: wrong password, login, push and pull with stored credentials', async (t) => {
  const source = await store();
  const wrong = await t.throwsAsync(
    source.registry.login(tlsRegistry.host, { username: 'alice', password: 'nope' }),
  );
  t.regex(wrong.message, /incorrect username or password/);

  const image = await buildImage(source.engine, [{ 'etc/tls': 'yes' }]);
  const anonymous = await t.throwsAsync(
    source.registry.pushManifest(`${tlsRegistry.host}/team/app:1`, image.manifestDigest),
  );
  t.regex(anonymous.message, /unauthorized|authentication required/);

  await source.registry.login(tlsRegistry.host, { username: 'alice', password: 's3cret' });
  const config = JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8')) as {
    auths: Record<string, { auth: string }>;
  };
  t.is(Buffer.from(config.auths[tlsRegistry.host]!.auth, 'base64').toString(), 'alice:s3cret');
  t.is((await stat(join(dir, 'docker', 'config.json'))).mode & 0o777, 0o600);

  await source.registry.pushManifest(`${tlsRegistry.host}/team/app:1`, image.manifestDigest);
  const target = await store();
  const pulled = await target.registry.pull(`${tlsRegistry.host}/team/app:1`);
  t.is(pulled.manifestDigest, image.manifestDigest);

  t.deepEqual(await target.registry.logout(tlsRegistry.host), { server: tlsRegistry.host, removed: true });
  const after = await store();
  const denied = await t.throwsAsync(after.registry.pull(`${tlsRegistry.host}/team/app:1`));
  t.regex(denied.message, /unauthorized|authentication required/);
});

test.serial('token auth: anonymous pull scope, login, push with a cached token per scope', async (t) => {
  const configDir = join(dir, 'docker-token');
  const source = await store(configDir);
  const image = await buildImage(source.engine, [{ 'etc/token': 'yes' }, { 'etc/two': '2' }]);
  const anonymous = await t.throwsAsync(
    source.registry.pushManifest(`${tokenRegistry.host}/bob/app:1`, image.manifestDigest),
  );
  t.regex(anonymous.message, /denied|unauthorized|authentication required/);

  const wrong = await t.throwsAsync(
    source.registry.login(tokenRegistry.host, { username: 'bob', password: 'x' }),
  );
  t.regex(wrong.message, /incorrect username or password/);
  await source.registry.login(tokenRegistry.host, { username: 'bob', password: 'hunter2' });

  const before = issuer.requests.length;
  await source.registry.pushManifest(`${tokenRegistry.host}/bob/app:1`, image.manifestDigest);
  const pushTokens = issuer.requests.slice(before);
  t.true(pushTokens.every((r) => r.account === 'bob' && r.authorized));
  // One token for the repository's scope, reused for every blob and the manifest.
  t.is(pushTokens.length, 1);
  t.deepEqual(pushTokens[0]!.scopes, ['repository:bob/app:pull,push']);

  const anonymousPull = await store(join(dir, 'nobody'));
  const pulled = await anonymousPull.registry.pull(`${tokenRegistry.host}/bob/app:1`);
  t.is(pulled.manifestDigest, image.manifestDigest);
});
