import test from 'ava';
import { StatsSchedule } from '../../../source/tui/state/stats-schedule.js';

test('quiet containers are read every fourth round, busy ones every round, a woken one at once', (t) => {
  const schedule = new StatsSchedule(3, 4);
  const reads = { busy: 0, idle: 0 };
  for (let round = 1; round <= 20; round++) {
    for (const id of schedule.due(['busy', 'idle'])) {
      reads[id as 'busy' | 'idle']++;
      schedule.record(id, id === 'busy');
    }
  }
  t.is(reads.busy, 20);
  // Rounds 1-3 to learn it is quiet, then rounds 4, 8, 12, 16, 20.
  t.is(reads.idle, 8);
  schedule.record('idle', true);
  t.deepEqual(schedule.due(['busy', 'idle']), ['busy', 'idle']);
});
