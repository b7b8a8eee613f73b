import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimit } from '../../../source/engine/util/map-limit.js';

test('results keep the items order and no more than `limit` calls run at once', async (t) => {
  let running = 0;
  let most = 0;
  const results = await mapLimit([30, 5, 20, 1, 10, 2, 8], 3, async (ms) => {
    running++;
    most = Math.max(most, running);
    await sleep(ms);
    running--;
    return ms * 2;
  });
  t.deepEqual(results, [60, 10, 40, 2, 20, 4, 16]);
  t.is(most, 3);
});

test('an empty list and a limit below one still work; a failure rejects', async (t) => {
  t.deepEqual(await mapLimit([], 4, async () => 1), []);
  t.deepEqual(await mapLimit([1, 2], 0, async (n) => n + 1), [2, 3]);
  await t.throwsAsync(
    mapLimit([1, 2, 3], 2, async (n) => {
      if (n === 2) throw new Error('two');
      return n;
    }),
    { message: 'two' },
  );
});
