/**
 * The store's cross-process lock: serialises real processes, survives owners killed at any
 * moment, and never waits forever on a lock nobody holds.
 */
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLock } from '../../../source/engine/util/file-lock.js';
import { killStarted } from '../../helpers/kill-started.js';

const work = await mkdtemp(join(tmpdir(), 'berth-file-lock-'));
const started: number[] = [];

test.after.always(async () => {
  killStarted(started);
  await rm(work, { recursive: true, force: true });
});

const LOCK_MODULE = new URL('../../../source/engine/util/file-lock.ts', import.meta.url).href;

/** A child process that takes the lock and increments a counter file non-atomically inside it. */
function incrementer(lock: string, counter: string, rounds: number) {
  const script = `
    import { withLock } from ${JSON.stringify(LOCK_MODULE)};
    import { readFile, writeFile } from 'node:fs/promises';
    for (let i = 0; i < ${rounds}; i++) {
      await withLock(${JSON.stringify(lock)}, async () => {
        const n = Number(await readFile(${JSON.stringify(counter)}, 'utf8'));
        await new Promise((r) => setImmediate(r));
        await writeFile(${JSON.stringify(counter)}, String(n + 1));
      });
    }`;
  const child = execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
  if (child.pid) started.push(child.pid);
  return child;
}

test('three processes incrementing under the lock lose no update', async (t) => {
  const lock = join(work, 'count.lock');
  const counter = join(work, 'count');
  await writeFile(counter, '0');
  const results = await Promise.all([1, 2, 3].map(() => incrementer(lock, counter, 40)));
  for (const result of results) t.is(result.exitCode, 0, result.stderr);
  t.is(await readFile(counter, 'utf8'), '120');
  t.deepEqual(await readdir(work).then((names) => names.filter((name) => name.startsWith('count.lock'))), []);
});

test('a lock left by a dead process is taken over', async (t) => {
  const lock = join(work, 'dead.lock');
  const dead = await execa('node', ['-e', 'process.stdout.write(String(process.pid))']);
  await writeFile(lock, dead.stdout);
  t.is(await withLock(lock, async () => 'ran', 2_000), 'ran');
});

test('an empty lock file (an owner killed before writing its pid) is taken over once old', async (t) => {
  const lock = join(work, 'empty.lock');
  await writeFile(lock, '');
  const old = new Date(Date.now() - 60_000);
  await utimes(lock, old, old);
  t.is(await withLock(lock, async () => 'ran', 2_000), 'ran');
});

test('a lock held by a live process times out with an error naming the lock', async (t) => {
  const lock = join(work, 'live.lock');
  await writeFile(lock, String(process.pid));
  const error = await t.throwsAsync(withLock(lock, async () => 'ran', 200));
  t.is(error?.message, `timed out waiting for lock ${lock}`);
  await rm(lock);
});

test('a lock is never visible without its owner: holders killed at random moments never block', async (t) => {
  const lock = join(work, 'killed.lock');
  const counter = join(work, 'killed-count');
  await writeFile(counter, '0');
  for (let round = 0; round < 5; round++) {
    const child = incrementer(lock, counter, 1_000_000);
    await new Promise((resolve) => setTimeout(resolve, 300 + round * 37));
    child.kill('SIGKILL');
    await child;
  }
  t.is(await withLock(lock, async () => 'ran', 2_000), 'ran');
});
