// `run`/`create --pull missing|always|never` through the built CLI, against Debian's real
// docker-registry on 127.0.0.1: a busybox image pushed by berth from one store is pulled and run
// in fresh stores, with docker's messages on stderr and stdout left to the container.
import test from 'ava';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine } from '../../source/engine/index.js';
import { berth, type CliResult } from '../helpers/cli.js';
import { startRegistry, type RegistryServer } from '../helpers/registry-server.js';
import { busyboxRootfsTar, seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

let registry: RegistryServer | undefined;
let seed = '';
let dockerConfig = '';
let image = '';
const roots: string[] = [];

test.before(async () => {
  registry = await startRegistry();
  image = `${registry.host}/x/busybox:v1`;
  seed = await store();
  // No credentials of the machine's user: this registry is anonymous.
  dockerConfig = await mkdtemp('/tmp/bpull-docker-');
  await seedBusybox(seed, image);
  const pushed = await cli(seed, ['push', image]);
  if (pushed.exitCode !== 0) throw new Error(`push: ${pushed.stderr}`);
});

test.after.always(async () => {
  for (const root of roots) await destroyStore(root);
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  await registry?.stop();
});

async function store(): Promise<string> {
  const root = await mkdtemp('/tmp/bpull-');
  roots.push(root);
  cleanUpOnTermination(() => root);
  return root;
}

function cli(root: string, args: string[]): Promise<CliResult> {
  return berth(root, args, { env: { DOCKER_CONFIG: dockerConfig } });
}

async function containers(root: string): Promise<string[]> {
  // Only container directories (64 hex); the store keeps a names index beside them.
  const names = await readdir(join(root, 'containers')).catch(() => [] as string[]);
  return names.filter((name) => /^[0-9a-f]{64}$/.test(name));
}

test.serial('run pulls a missing image, shows the pull on stderr, and runs it', async (t) => {
  const root = await store();
  const result = await cli(root, ['run', '--rm', image, 'echo', 'ok']);
  t.is(result.exitCode, 0, result.stderr);
  t.is(result.stdout, 'ok\n');
  const lines = result.stderr.split('\n');
  t.is(lines[0], `Unable to find image '${image}' locally`);
  t.is(lines[1], 'v1: Pulling from x/busybox');
  t.regex(result.stderr, /^[0-9a-f]{12}: Pull complete$/m);
  t.regex(result.stderr, /^Digest: sha256:[0-9a-f]{64}$/m);
  t.regex(result.stderr, new RegExp(`^Status: Downloaded newer image for ${image}$`, 'm'));
  t.is((await cli(root, ['images', '-q', image])).stdout.trim().length, 12);
  t.deepEqual(await containers(root), [], '--rm removed the container');

  // Now it is there: no pull, nothing on stderr.
  const again = await cli(root, ['run', '--rm', image, 'echo', 'again']);
  t.is(again.exitCode, 0, again.stderr);
  t.is(again.stdout, 'again\n');
  t.is(again.stderr, '');

  // `create` pulls too, and prints only the id on stdout.
  const other = await store();
  const created = await cli(other, ['create', '-q', image, 'true']);
  t.is(created.exitCode, 0, created.stderr);
  t.regex(created.stdout, /^[0-9a-f]{64}\n$/);
  t.is(created.stderr, '', '-q keeps the pull quiet');
  t.is((await cli(other, ['rm', created.stdout.trim()])).exitCode, 0);
});

test.serial(
  '--pull never fails cleanly on a missing image; a missing repository fails the pull',
  async (t) => {
    const root = await store();
    const never = await cli(root, ['run', '--rm', '--pull', 'never', image, 'echo', 'ok']);
    t.is(never.exitCode, 125);
    t.is(never.stdout, '');
    t.is(never.stderr, `berth: Error response from daemon: No such image: ${image}\n`);
    const created = await cli(root, ['create', '--pull=never', image]);
    t.is(created.exitCode, 125);
    t.regex(created.stderr, /No such image/);
    t.deepEqual(await containers(root), []);
    t.is((await cli(root, ['images', '-q'])).stdout, '');

    const bad = await cli(root, ['run', '--pull', 'sometimes', image]);
    t.is(bad.exitCode, 125);
    t.regex(bad.stderr, /invalid pull option: 'sometimes': must be one of "always", "missing" or "never"/);

    const missing = `${registry?.host}/x/nothing:v1`;
    const unknown = await cli(root, ['run', '--rm', missing, 'true']);
    t.is(unknown.exitCode, 125);
    t.regex(unknown.stderr, new RegExp(`^Unable to find image '${missing}' locally$`, 'm'));
    t.regex(unknown.stderr, /^berth: Error response from daemon: .*(unknown|not found)/im);
    t.deepEqual(await containers(root), []);

    // With the image there, never runs it.
    t.is((await cli(root, ['pull', '-q', image])).exitCode, 0);
    const present = await cli(root, ['run', '--rm', '--pull', 'never', image, 'echo', 'ok']);
    t.is(present.exitCode, 0, present.stderr);
    t.is(present.stdout, 'ok\n');
    t.is(present.stderr, '');
  },
);

test.serial('--pull always re-checks the registry and runs the newer image', async (t) => {
  const root = await store();
  t.is((await cli(root, ['pull', '-q', image])).exitCode, 0);
  const same = await cli(root, ['run', '--rm', '--pull', 'always', image, 'echo', 'same']);
  t.is(same.exitCode, 0, same.stderr);
  t.is(same.stdout, 'same\n');
  t.notRegex(same.stderr, /Unable to find image/);
  t.regex(same.stderr, /^v1: Pulling from x\/busybox$/m);
  t.regex(same.stderr, new RegExp(`^Status: Image is up to date for ${image}$`, 'm'));

  // The tag moves in the registry: another image (an ENV more) pushed under the same name.
  const engine = await createEngine({ root: seed });
  await engine.images.importRootfs(createReadStream(await busyboxRootfsTar()), {
    ref: image,
    changes: ['CMD ["sh"]', 'ENV MARK=newer'],
  });
  const pushed = await cli(seed, ['push', image]);
  t.is(pushed.exitCode, 0, pushed.stderr);

  const stale = await cli(root, ['run', '--rm', image, 'sh', '-c', 'echo "mark=$MARK"']);
  t.is(stale.stdout, 'mark=\n', 'missing (the default) keeps the local image');
  const fresh = await cli(root, ['run', '--rm', '--pull', 'always', image, 'sh', '-c', 'echo "mark=$MARK"']);
  t.is(fresh.exitCode, 0, fresh.stderr);
  t.is(fresh.stdout, 'mark=newer\n');
  t.regex(fresh.stderr, new RegExp(`^Status: Downloaded newer image for ${image}$`, 'm'));
  const quiet = await cli(root, ['run', '--rm', '-q', '--pull', 'always', image, 'true']);
  t.is(quiet.exitCode, 0, quiet.stderr);
  t.is(quiet.stderr, '');
});
