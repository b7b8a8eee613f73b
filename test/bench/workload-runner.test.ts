/** The bench runner's own logic: medians, interleaved runs with untimed resets, and result lines. */
import test from 'ava';
import { median } from './bench-tools.js';
import { formatLine, runWorkload, type Tool, type Workload } from './workload-runner.js';

test('median of odd and even counts', (t) => {
  t.is(median([5, 1, 3]), 3);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.is(median([]), 0);
});

test('runWorkload runs setup once, berth for every iteration, afterRun after each, teardown last', async (t) => {
  const calls: string[] = [];
  const workload: Workload<{ label: string }> = {
    name: 'counting',
    runs: 3,
    async setup() {
      calls.push('setup');
      return { label: 'state' };
    },
    async run(state, i) {
      calls.push(`berth ${i} ${state.label}`);
    },
    async afterRun(_state, tool: Tool, i) {
      calls.push(`after ${tool} ${i}`);
    },
    async teardown() {
      calls.push('teardown');
    },
  };
  const lines = await runWorkload(workload);
  t.deepEqual(calls, [
    'setup',
    'berth 0 state',
    'after berth 0',
    'berth 1 state',
    'after berth 1',
    'berth 2 state',
    'after berth 2',
    'teardown',
  ]);
  t.is(lines.length, 1);
  t.is(lines[0]?.name, 'counting');
  t.true((lines[0]?.berthMs ?? -1) >= 0);
});

test('teardown runs even when a run throws', async (t) => {
  let tornDown = false;
  const workload: Workload<null> = {
    name: 'failing',
    setup: async () => null,
    run: async () => {
      throw new Error('boom');
    },
    teardown: async () => {
      tornDown = true;
    },
  };
  await t.throwsAsync(() => runWorkload(workload), { message: 'boom' });
  t.true(tornDown);
});

test('formatLine shows the ratio and whether the target or limit is met', (t) => {
  const ok = formatLine({
    name: 'run --rm',
    berthMs: 100,
    otherName: 'docker',
    otherMs: 400,
    ratio: 0.25,
    target: 0.5,
  });
  t.regex(ok, /run --rm\s+100 ms\s+docker\s+400 ms\s+0\.25\s+ok \(≤ 0\.5\)/);
  const miss = formatLine({
    name: 'ps',
    berthMs: 300,
    otherName: 'docker',
    otherMs: 30,
    ratio: 10,
    target: 1,
  });
  t.regex(miss, /MISS \(≤ 1\)$/);
  const memory = formatLine({ name: 'monitor RSS', berthMs: 1400, unit: 'KB', limit: 2048 });
  t.regex(memory, /1400 KB.*ok \(≤ 2048 KB\)$/);
});
