import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfsTar, seedBusybox } from '../fixtures/busybox.js';
import { berth } from '../helpers/cli.js';

const roots: string[] = [];

async function seededRoot(): Promise<{ root: string; id: string }> {
  const root = await mkdtemp(join(tmpdir(), 'berth-cli-images-'));
  roots.push(root);
  return { root, id: await seedBusybox(root) };
}

test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

test('images prints docker columns; -q, --no-trunc, --digests and --format work', async (t) => {
  const { root, id } = await seededRoot();
  const table = await berth(root, ['images']);
  t.is(table.exitCode, 0, table.stderr);
  const [header, row] = table.stdout.trimEnd().split('\n');
  t.regex(header ?? '', /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
  t.regex(row ?? '', new RegExp(`^busybox\\s+latest\\s+${id.slice(7, 19)}\\s+.+ ago\\s+\\d`));
  t.is((await berth(root, ['images', '-q'])).stdout, `${id.slice(7, 19)}\n`);
  t.is((await berth(root, ['image', 'ls', '-q', '--no-trunc'])).stdout, `${id}\n`);
  t.regex((await berth(root, ['images', '--digests'])).stdout, /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID/);
  t.is((await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout, 'busybox:latest\n');
  t.is((await berth(root, ['images', '--filter', 'dangling=true', '-q'])).stdout, '');
  const badFilter = await berth(root, ['images', '--filter', 'color=red']);
  t.is(badFilter.exitCode, 125);
  t.is(badFilter.stderr, "berth: invalid filter 'color'\n");
});

test('tag, history, inspect and rmi speak docker', async (t) => {
  const { root, id } = await seededRoot();
  t.is((await berth(root, ['tag', 'busybox', 'mine:1'])).exitCode, 0);
  const inspect = await berth(root, ['image', 'inspect', 'mine:1']);
  const [parsed] = JSON.parse(inspect.stdout) as {
    Id: string;
    RepoTags: string[];
    RootFS: { Type: string };
  }[];
  t.is(parsed?.Id, id);
  t.deepEqual(parsed?.RepoTags, ['busybox:latest', 'mine:1']);
  t.is(parsed?.RootFS.Type, 'layers');
  t.is(
    (await berth(root, ['image', 'inspect', '-f', '{{.Os}}/{{.Architecture}}', 'busybox'])).stdout,
    'linux/amd64\n',
  );
  const history = await berth(root, ['history', 'busybox']);
  t.regex(history.stdout, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n/);
  t.regex(history.stdout, new RegExp(`${id.slice(7, 19)}.*1\\.98MB\\s+busybox-static from Debian`));
  t.is((await berth(root, ['history', '-q', '--no-trunc', 'busybox'])).stdout, `${id}\n`);
  t.is((await berth(root, ['rmi', 'mine:1'])).stdout, 'Untagged: mine:1\n');
  const missing = await berth(root, ['rmi', 'nosuch', 'busybox']);
  t.is(missing.exitCode, 1);
  t.is(missing.stderr, 'berth: no such image: nosuch:latest\n');
  t.regex(missing.stdout, new RegExp(`^Untagged: busybox:latest\nDeleted: ${id}\nDeleted: sha256:`));
  const notFound = await berth(root, ['image', 'inspect', 'busybox']);
  t.is(notFound.exitCode, 1);
  t.is(notFound.stdout, '[]\n');
});

test('import from stdin with -c and -m, then save to a file and load from stdin', async (t) => {
  const { root } = await seededRoot();
  const imported = await berth(root, ['import', '-c', 'CMD ["sh"]', '-m', 'hi', '-', 'piped:1'], {
    inputFile: await busyboxRootfsTar(),
  });
  t.is(imported.exitCode, 0, imported.stderr);
  t.regex(imported.stdout, /^sha256:[a-f0-9]{64}\n$/);
  const archive = join(root, 'out.tar');
  const saved = await berth(root, ['save', '-o', archive, 'piped:1']);
  t.is(saved.exitCode, 0, saved.stderr);
  t.is((await berth(root, ['rmi', 'piped:1'])).exitCode, 0);
  const loaded = await berth(root, ['load'], { inputFile: archive });
  t.is(loaded.stdout, 'Loaded image: piped:1\n');
  const again = await berth(root, ['load', '-q', '-i', archive]);
  t.is(again.stdout, 'Loaded image: piped:1\n');
  const nofile = await berth(root, ['load', '-i', join(root, 'nope.tar')]);
  t.is(nofile.exitCode, 125);
  t.regex(nofile.stderr, /^berth: open .*nope\.tar: no such file or directory\n$/);
  const badFormat = await berth(root, ['save', '--format', 'zip', '-o', archive, 'busybox']);
  t.is(badFormat.exitCode, 125);
});

test('image prune -a -f prints deleted images and reclaimed space; system df summarises', async (t) => {
  const { root, id } = await seededRoot();
  const df = await berth(root, ['system', 'df']);
  t.regex(
    df.stdout,
    /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+1\s+0\s+1\.98MB\s+1\.98MB \(100%\)\n/,
  );
  t.regex((await berth(root, ['system', 'df', '--verbose'])).stdout, /Images space usage:/);
  const nothing = await berth(root, ['image', 'prune', '-f']);
  t.is(nothing.stdout, 'Total reclaimed space: 0B\n');
  const declined = await berth(root, ['image', 'prune', '-a'], { input: 'n\n' });
  t.is(declined.exitCode, 0);
  t.is((await berth(root, ['images', '-q'])).stdout, `${id.slice(7, 19)}\n`);
  const pruned = await berth(root, ['image', 'prune', '-a', '-f']);
  t.regex(
    pruned.stdout,
    new RegExp(`^Deleted Images:\nuntagged: busybox:latest\ndeleted: ${id}\n\nTotal reclaimed space: \\d`),
  );
  t.is((await berth(root, ['images', '-q'])).stdout, '');
});
