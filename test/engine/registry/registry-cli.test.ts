/** The registry verbs through the real `berth` entry point (tsx), against a real registry. */
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { buildImage, busyboxLayer } from './image-fixture.js';
import { openTestStore, type TestStore } from './registry-test-setup.js';

const main = fileURLToPath(new URL('../../../source/cli/main.ts', import.meta.url));
let registry: RegistryServer;
let dir: string;
let seed: TestStore;

test.before(async () => {
  registry = await startRegistry({ htpasswd: { carol: 'pa55' } });
  dir = await mkdtemp(join(tmpdir(), 'berth-registry-cli-'));
  seed = await openTestStore({ dockerConfigDir: join(dir, 'seed-docker') });
  await seed.registry.login(registry.host, { username: 'carol', password: 'pa55' });
  const image = await buildImage(seed.engine, [busyboxLayer(), { 'etc/cli': 'cli' }]);
  await seed.registry.pushManifest(`${registry.host}/cli/app:1`, image.manifestDigest);
});

test.after.always(async () => {
  await seed?.dispose();
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function berth(args: string[], input?: string) {
  return execa('node', ['--import', 'tsx', main, ...args], {
    reject: false,
    input,
    env: { BERTH_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker') },
    extendEnv: true,
  });
}

test.serial('login, pull -q, pull, push, logout and one-line errors', async (t) => {
  const denied = await berth(['pull', `${registry.host}/cli/app:1`]);
  t.is(denied.exitCode, 1);
  t.regex(denied.stderr, /^berth: unauthorized: authentication required/);

  const wrong = await berth(['login', '-u', 'carol', '--password-stdin', registry.host], 'bad\n');
  t.is(wrong.exitCode, 1);
  t.is(wrong.stderr.trim(), `berth: unauthorized: incorrect username or password for ${registry.host}`);

  const warned = await berth(['login', '-u', 'carol', '-p', 'pa55', registry.host]);
  t.is(warned.exitCode, 0, warned.stderr);
  t.regex(warned.stderr, /WARNING! Using --password via the CLI is insecure/);
  const login = await berth(['login', '-u', 'carol', '--password-stdin', registry.host], 'pa55\n');
  t.is(login.stdout.trim(), 'Login Succeeded');
  const config = JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8')) as {
    auths: Record<string, { auth: string }>;
  };
  t.is(Buffer.from(config.auths[registry.host]!.auth, 'base64').toString(), 'carol:pa55');

  const quiet = await berth(['pull', '-q', `${registry.host}/cli/app:1`]);
  t.is(quiet.exitCode, 0, quiet.stderr);
  t.is(quiet.stdout, `${registry.host}/cli/app:1`);
  const again = await berth(['pull', `${registry.host}/cli/app:1`]);
  t.regex(again.stdout, /Already exists/);
  t.regex(again.stdout, /Status: Image is up to date for/);

  const push = await berth(['push', `${registry.host}/cli/app:1`]);
  t.is(push.exitCode, 0, push.stderr);
  t.regex(push.stdout, /Layer already exists/);
  t.regex(push.stdout, /^1: digest: sha256:[0-9a-f]{64} size: \d+$/m);

  const missing = await berth(['pull', `${registry.host}/cli/app:nope`]);
  t.is(missing.exitCode, 1);
  t.is(
    missing.stderr.trim(),
    `berth: manifest for ${registry.host}/cli/app:nope not found: manifest unknown`,
  );

  const logout = await berth(['logout', registry.host]);
  t.is(logout.stdout.trim(), `Removing login credentials for ${registry.host}`);
});
