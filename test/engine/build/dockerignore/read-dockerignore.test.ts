import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadIgnoreFile, readDockerignore } from '../../../../source/engine/build/dockerignore/index.js';

const roots: string[] = [];
test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function context(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-dockerignore-'));
  roots.push(root);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  return root;
}

test('a UTF-8 BOM is dropped from the first line only, also before a comment', (t) => {
  t.deepEqual(readDockerignore('\ufeff/node_modules\n\ufeffx'), ['node_modules', '\ufeffx']);
  t.deepEqual(readDockerignore('\ufeff# comment\nkeep'), ['keep']);
  t.deepEqual(readDockerignore(Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x0a])), ['a']);
});

test('CRLF line ends, a missing final newline and blank lines', (t) => {
  t.deepEqual(readDockerignore('a\r\n\r\n  \r\n!b/\r\nc'), ['a', '!b', 'c']);
  t.deepEqual(readDockerignore(''), []);
  t.deepEqual(readDockerignore('\n\n'), []);
});

test('the context .dockerignore applies when there is no Dockerfile-specific one', async (t) => {
  const root = await context({ '.dockerignore': '*.log\n', Dockerfile: 'FROM scratch\n' });
  t.deepEqual(await loadIgnoreFile(root, 'Dockerfile'), { path: path.join(root, '.dockerignore'), patterns: ['*.log'] });
  t.deepEqual(await loadIgnoreFile(root), { path: path.join(root, '.dockerignore'), patterns: ['*.log'] });
});

test('<Dockerfile>.dockerignore next to the Dockerfile wins over the context one', async (t) => {
  const root = await context({
    '.dockerignore': 'general\n',
    'build/app.Dockerfile': 'FROM scratch\n',
    'build/app.Dockerfile.dockerignore': 'specific\n',
    'build/.dockerignore': 'not-used\n',
  });
  const relative = await loadIgnoreFile(root, 'build/app.Dockerfile');
  t.is(relative.path, path.join(root, 'build/app.Dockerfile.dockerignore'));
  t.deepEqual(relative.patterns, ['specific']);
  const absolute = await loadIgnoreFile(root, path.join(root, 'build/app.Dockerfile'));
  t.deepEqual(absolute.patterns, ['specific']);
  t.deepEqual((await loadIgnoreFile(root, 'build/other.Dockerfile')).patterns, ['general']);
});

test('a Dockerfile outside the context still brings its own ignore file', async (t) => {
  const elsewhere = await context({ 'x.Dockerfile': 'FROM scratch\n', 'x.Dockerfile.dockerignore': 'secret\n' });
  const root = await context({ '.dockerignore': 'general\n' });
  t.deepEqual((await loadIgnoreFile(root, path.join(elsewhere, 'x.Dockerfile'))).patterns, ['secret']);
});

test('no ignore file at all means nothing is ignored', async (t) => {
  const root = await context({ Dockerfile: 'FROM scratch\n' });
  t.deepEqual(await loadIgnoreFile(root, 'Dockerfile'), { path: undefined, patterns: [] });
});
