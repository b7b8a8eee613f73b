// The container lifecycle's bookkeeping against a real store (no process needed here).
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine } from '../../../source/engine/index.js';
import { withLock } from '../../../source/engine/util/index.js';
import { seedBusybox } from '../../fixtures/busybox.js';

const root = await mkdtemp(join(tmpdir(), 'berth-containers-'));

test.before(async () => {
  await seedBusybox(root);
});

test.after.always(async () => {
  await rm(root, { recursive: true, force: true });
});

test("a monitor's cleanup that arrives while the start still holds the lock is not lost", async (t) => {
  // A quick container can exit, and its monitor run `container cleanup <id> --run R`, before the
  // start that launched it has saved run R in the record. The cleanup must wait for that start.
  const engine = await createEngine({ root });
  const { id } = await engine.containers.create({ image: 'busybox', command: ['true'], network: 'none' });
  const store = engine.containers.store;
  let cleanup: Promise<void> | undefined;
  let settledEarly = false;
  await withLock(store.lockPath(id), async () => {
    cleanup = engine.containers.cleanup(id, 'run-1');
    void cleanup.then(() => (settledEarly = true));
    await sleep(300);
    // What the start saves once its monitor reported the pid, and what the monitor wrote at exit.
    const current = await store.read(id);
    if (!current) throw new Error('record vanished');
    await store.write({
      ...current,
      state: { ...current.state, status: 'running', pid: 999_999, runId: 'run-1' },
    });
    await writeFile(
      join(store.dir(id), 'exit'),
      JSON.stringify({ exitCode: 3, signal: null, finishedAt: new Date().toISOString() }),
    );
  });
  t.false(settledEarly, 'the cleanup waited for the lock instead of calling the run stale');
  await cleanup;
  const after = await store.read(id);
  t.is(after?.state.status, 'exited');
  t.is(after?.state.exitCode, 3);
});

test('a cleanup of an earlier run, or of a removed container, changes nothing', async (t) => {
  const engine = await createEngine({ root });
  const { id } = await engine.containers.create({ image: 'busybox', command: ['true'], network: 'none' });
  const store = engine.containers.store;
  await store.update(id, (current) => ({
    ...current,
    state: { ...current.state, status: 'running', runId: 'now' },
  }));
  await engine.containers.cleanup(id, 'before');
  t.is((await store.read(id))?.state.status, 'running');
  await store.update(id, (current) => ({ ...current, state: { ...current.state, status: 'exited' } }));
  await engine.containers.remove(id);
  await t.notThrowsAsync(engine.containers.cleanup(id, 'now'));
});
