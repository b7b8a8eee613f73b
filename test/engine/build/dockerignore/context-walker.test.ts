import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import {
  DockerignorePatternError,
  PatternMatcher,
  walkContext,
  withBuildFilesIncluded,
} from '../../../../source/engine/build/dockerignore/index.js';

const roots: string[] = [];
test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

/** Builds a context: names ending in `/` are directories, `-> target` makes a symlink. */
async function context(entries: string[]): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-walk-'));
  roots.push(root);
  for (const entry of entries) {
    const [name, target] = entry.split(' -> ') as [string, string | undefined];
    const full = path.join(root, name);
    await mkdir(path.dirname(full), { recursive: true });
    if (target !== undefined) await symlink(target, full);
    else if (name.endsWith('/')) await mkdir(full, { recursive: true });
    else await writeFile(full, name);
  }
  return root;
}

async function walk(root: string, patterns: string[], dockerfile?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of walkContext(root, new PatternMatcher(patterns), { dockerfile })) {
    out.push(`${entry.kind} ${entry.path}`);
  }
  return out;
}

test('without patterns everything is listed in byte order, directories before their contents', async (t) => {
  const root = await context(['b/c', 'B', 'a', '_', 'é']);
  t.deepEqual(await walk(root, []), ['file B', 'file _', 'file a', 'dir b', 'file b/c', 'file é']);
});

test('excluded files and directories are left out', async (t) => {
  const root = await context(['a.log', 'keep.txt', 'dir/b.log', 'dir/c.txt', 'node_modules/x/y.js']);
  t.deepEqual(await walk(root, ['*.log', 'node_modules']), [
    'dir dir',
    'file dir/b.log',
    'file dir/c.txt',
    'file keep.txt',
  ]);
  t.deepEqual(await walk(root, ['**/*.log', 'dir']), ['file keep.txt', 'dir node_modules', 'dir node_modules/x', 'file node_modules/x/y.js']);
});

test('an exception re-includes a file under an excluded directory (fsutil TestWalkerExclude)', async (t) => {
  const root = await context(['bar', 'foo/', 'foo2', 'foo/bar2', 'foo/bar3']);
  t.deepEqual(await walk(root, ['foo*', '!foo/bar2']), ['file bar', 'dir foo', 'file foo/bar2']);
});

test('a wildcard exception makes the walker look inside every excluded directory', async (t) => {
  const root = await context(['cache/keep', 'cache/drop', 'cache/deep/keep', 'src/main.c']);
  t.deepEqual(await walk(root, ['cache', '!**/keep']), [
    'dir cache',
    'dir cache/deep',
    'file cache/deep/keep',
    'file cache/keep',
    'dir src',
    'file src/main.c',
  ]);
});

test('an excluded directory with no exception below it is not reported even if empty', async (t) => {
  const root = await context(['empty/', 'other/', 'file']);
  t.deepEqual(await walk(root, ['empty', 'other', '!other-thing']), ['file file']);
});

test('symlinks are reported as links and never followed', async (t) => {
  const root = await context(['dir/inner', 'link -> dir', 'loop -> .', 'dangling -> nowhere', 'escape -> /etc']);
  t.deepEqual(await walk(root, []), [
    'symlink dangling',
    'dir dir',
    'file dir/inner',
    'symlink escape',
    'symlink link',
    'symlink loop',
  ]);
  const entries = [];
  for await (const entry of walkContext(root, new PatternMatcher([]))) entries.push(entry);
  const link = entries.find((e) => e.path === 'link')!;
  t.true(link.stat.isSymbolicLink(), 'stat is an lstat');
});

test('the Dockerfile and .dockerignore are re-included when the patterns exclude them', async (t) => {
  const root = await context(['.dockerignore', 'Dockerfile', 'src/a.c']);
  t.deepEqual(await walk(root, ['*'], 'Dockerfile'), ['file .dockerignore', 'file Dockerfile']);
  t.deepEqual(await walk(root, ['*']), ['file .dockerignore'], '.dockerignore is always kept');
  t.deepEqual(await walk(root, ['Dockerfile', '.dockerignore', 'src']), ['file .dockerignore']);
});

test('a Dockerfile inside an excluded directory is re-included with its directory', async (t) => {
  const root = await context(['build/app.Dockerfile', 'build/secret', 'main.c']);
  t.deepEqual(await walk(root, ['build'], 'build/app.Dockerfile'), [
    'dir build',
    'file build/app.Dockerfile',
    'file main.c',
  ]);
  t.deepEqual(withBuildFilesIncluded(['build'], 'build/app.Dockerfile'), ['build', '!build/app.Dockerfile']);
  t.deepEqual(withBuildFilesIncluded(['*.c'], 'Dockerfile'), ['*.c'], 'nothing added when nothing is excluded');
});

test('a pattern that cannot compile fails the walk with a pattern error', async (t) => {
  const root = await context(['x']);
  await t.throwsAsync(walk(root, ['[Local-Only]/']), { instanceOf: DockerignorePatternError });
});
