import test from 'ava';
import { StatsHistory, sparkline } from '../../../source/tui/state/stats-history.js';

test('CPU % is CPU time over wall time between two samples', (t) => {
  const history = new StatsHistory();
  t.is(
    history.add('a', { time: 1000, cpuUsageNs: 0, memoryUsage: 10, memoryLimit: 100, pids: 1 }).cpuPercent,
    0,
  );
  // 0.5 s of CPU in 1 s of wall time: half a core.
  t.is(
    history.add('a', { time: 2000, cpuUsageNs: 5e8, memoryUsage: 20, memoryLimit: 100, pids: 1 }).cpuPercent,
    50,
  );
  t.is(history.latest('a')?.memoryBytes, 20);
});

test('history is bounded and forgets containers that are gone', (t) => {
  const history = new StatsHistory(3);
  for (let index = 0; index < 10; index++)
    history.add('a', { time: index * 1000, cpuUsageNs: 0, memoryUsage: index, memoryLimit: 1, pids: 1 });
  t.deepEqual(
    history.series('a').map((point) => point.memoryBytes),
    [7, 8, 9],
  );
  history.retain(new Set());
  t.deepEqual(history.series('a'), []);
});

test('sparkline scales to the maximum and keeps the last values', (t) => {
  t.is(sparkline([0, 50, 100], 3, 100), '▁▅█');
  t.is(sparkline([1, 2, 3, 4], 2), '▆█');
  t.is(sparkline([0, 0], 2), '▁▁');
});
