// `berth volume …` through the built CLI (dist/cli/main.js), as a user types it.
import test from 'ava';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth } from '../helpers/cli.js';

const roots: string[] = [];

test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function fresh(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'berth-cli-volume-'));
  roots.push(root);
  return root;
}

/** A container record naming volumes, in the runner's on-disk format. */
async function containerUsing(root: string, id: string, volumes: string[]): Promise<void> {
  const dir = join(root, 'containers', id);
  await mkdir(dir, { recursive: true });
  const mounts = volumes.map((name) => ({
    Type: 'volume',
    Name: name,
    Source: '',
    Destination: `/${name}`,
    Mode: '',
    RW: true,
    Propagation: '',
  }));
  await writeFile(
    join(dir, 'container.json'),
    JSON.stringify({ id, name: 'user', state: { status: 'exited' }, mounts }),
  );
}

test('create prints the name, is idempotent, and names anonymous volumes with 64 hex', async (t) => {
  const root = await fresh();
  const created = await berth(root, ['volume', 'create', '--label', 'app=web', '--label', 'tier', 'webdata']);
  t.is(created.exitCode, 0, created.stderr);
  t.is(created.stdout, 'webdata\n');
  t.is((await berth(root, ['volume', 'create', 'webdata'])).stdout, 'webdata\n');
  const anonymous = await berth(root, ['volume', 'create']);
  t.regex(anonymous.stdout, /^[0-9a-f]{64}\n$/);
  t.is((await berth(root, ['volume', 'create', '--name', 'byflag'])).stdout, 'byflag\n');
  const bad = await berth(root, ['volume', 'create', '../../etc']);
  t.is(bad.exitCode, 125);
  t.regex(bad.stderr, /"\.\.\/\.\.\/etc" includes invalid characters for a local volume name/);
  t.deepEqual(
    (await readdir(join(root, 'volumes'))).sort(),
    [anonymous.stdout.trim(), 'byflag', 'webdata'].sort(),
  );
  const driver = await berth(root, ['volume', 'create', '-d', 'nfs', 'x1']);
  t.is(driver.exitCode, 125);
  t.regex(driver.stderr, /plugin "nfs" not found/);
});

test('ls: table, -q, --filter, --format', async (t) => {
  const root = await fresh();
  for (const name of ['vol10', 'vol2', 'web'])
    await berth(root, ['volume', 'create', ...(name === 'web' ? ['--label', 'tier=front'] : []), name]);
  await containerUsing(root, 'a'.repeat(64), ['vol2']);
  t.is(
    (await berth(root, ['volume', 'ls'])).stdout,
    'DRIVER   VOLUME NAME\nlocal    vol2\nlocal    vol10\nlocal    web\n',
  );
  t.is((await berth(root, ['volume', 'list', '-q'])).stdout, 'vol2\nvol10\nweb\n');
  t.is((await berth(root, ['volume', 'ls', '-q', '--filter', 'dangling=true'])).stdout, 'vol10\nweb\n');
  t.is((await berth(root, ['volume', 'ls', '-q', '-f', 'dangling=false'])).stdout, 'vol2\n');
  t.is((await berth(root, ['volume', 'ls', '-q', '--filter', 'label=tier=front'])).stdout, 'web\n');
  t.is(
    (await berth(root, ['volume', 'ls', '-q', '--filter', 'name=vol', '--filter', 'dangling=true'])).stdout,
    'vol10\n',
  );
  t.is(
    (await berth(root, ['volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Labels}} {{.Links}}'])).stdout,
    'vol2 local  1\nvol10 local  0\nweb local tier=front 0\n',
  );
  const json = (await berth(root, ['volume', 'ls', '--format', 'json'])).stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, string>);
  t.deepEqual(
    json.map((row) => row['Name']),
    ['vol2', 'vol10', 'web'],
  );
  t.is(json[0]?.['Mountpoint'], join(root, 'volumes', 'vol2', '_data'));
  const bad = await berth(root, ['volume', 'ls', '--filter', 'dangling=maybe']);
  t.is(bad.exitCode, 125);
  t.regex(bad.stderr, /invalid filter 'dangling=maybe'/);
});

test('inspect: docker JSON, --format, missing volumes', async (t) => {
  const root = await fresh();
  await berth(root, ['volume', 'create', '--label', 'k=v', 'insp']);
  const result = await berth(root, ['volume', 'inspect', 'insp']);
  t.is(result.exitCode, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
  t.is(parsed.length, 1);
  t.like(parsed[0], {
    Driver: 'local',
    Labels: { k: 'v' },
    Mountpoint: join(root, 'volumes', 'insp', '_data'),
    Name: 'insp',
    Options: {},
    Scope: 'local',
  });
  t.regex(String(parsed[0]?.['CreatedAt']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(
    (await berth(root, ['volume', 'inspect', '-f', '{{.Mountpoint}}', 'insp'])).stdout,
    join(root, 'volumes', 'insp', '_data') + '\n',
  );
  const missing = await berth(root, ['volume', 'inspect', 'insp', 'nope']);
  t.is(missing.exitCode, 1);
  t.is((JSON.parse(missing.stdout) as unknown[]).length, 1);
  t.regex(missing.stderr, /no such volume: nope/);
});

test('rm: refuses volumes in use, -f only forgives missing ones, continues past failures', async (t) => {
  const root = await fresh();
  for (const name of ['used', 'free1', 'free2']) await berth(root, ['volume', 'create', name]);
  await containerUsing(root, 'b'.repeat(64), ['used']);
  const result = await berth(root, ['volume', 'rm', 'used', 'free1', 'nope', 'free2']);
  t.is(result.exitCode, 1);
  t.is(result.stdout, 'free1\nfree2\n');
  t.regex(result.stderr, new RegExp(`remove used: volume is in use - \\[${'b'.repeat(64)}\\]`));
  t.regex(result.stderr, /no such volume: nope/);
  const forced = await berth(root, ['volume', 'rm', '-f', 'used', 'nope']);
  t.is(forced.exitCode, 1, 'docker refuses a volume in use even with -f');
  t.notRegex(forced.stderr, /nope/);
  t.is((await berth(root, ['volume', 'remove', '-f', 'nope'])).exitCode, 0);
  t.is((await berth(root, ['volume', 'ls', '-q'])).stdout, 'used\n');
});

test('prune: asks first, removes unused anonymous volumes (all with -a), prints reclaimed space', async (t) => {
  const root = await fresh();
  const anonymous = (await berth(root, ['volume', 'create'])).stdout.trim();
  const anonymousUsed = (await berth(root, ['volume', 'create'])).stdout.trim();
  await berth(root, ['volume', 'create', 'named']);
  await containerUsing(root, 'c'.repeat(64), [anonymousUsed]);
  await writeFile(join(root, 'volumes', anonymous, '_data', 'blob'), Buffer.alloc(1500));
  await writeFile(join(root, 'volumes', 'named', '_data', 'blob'), Buffer.alloc(2000));

  const declined = await berth(root, ['volume', 'prune'], { input: 'n\n' });
  t.is(declined.exitCode, 0);
  t.regex(
    declined.stderr,
    /WARNING! This will remove anonymous local volumes not used by at least one container\.\nAre you sure you want to continue\? \[y\/N\]/,
  );
  t.is(declined.stdout, '');
  t.is((await berth(root, ['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean).length, 3);

  const accepted = await berth(root, ['volume', 'prune'], { input: 'y\n' });
  t.is(accepted.stdout, `Deleted Volumes:\n${anonymous}\n\nTotal reclaimed space: 1.5kB\n`);
  const nothing = await berth(root, ['volume', 'prune', '-f']);
  t.is(nothing.stdout, 'Total reclaimed space: 0B\n');
  const all = await berth(root, ['volume', 'prune', '-a', '-f']);
  t.is(all.stdout, 'Deleted Volumes:\nnamed\n\nTotal reclaimed space: 2kB\n');
  t.is((await berth(root, ['volume', 'ls', '-q'])).stdout, `${anonymousUsed}\n`);
});

test('volume with no subcommand explains itself', async (t) => {
  const root = await fresh();
  const result = await berth(root, ['volume']);
  t.is(result.exitCode, 125);
  t.regex(result.stderr, /volume needs a subcommand/);
});
