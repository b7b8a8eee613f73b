import test from 'ava';
import { clockMoves, statusText } from '../../../source/tui/state/format.js';
import { container } from '../memory-engine.js';

test('the clock moves the screen only when a STATUS text changes, or after a minute', (t) => {
  const start = Date.parse('2026-11-23T10:00:00Z');
  const longUp = container('web', 'running', { startedMs: start - 3 * 3600_000 });
  t.is(statusText(longUp, start), 'Up 3 hours');
  t.false(clockMoves([longUp], start, start + 5000));
  t.true(clockMoves([longUp], start, start + 60_000), 'at least once a minute');
  const justStarted = container('job', 'running', { startedMs: start - 10_000 });
  t.true(clockMoves([longUp, justStarted], start, start + 5000), 'seconds count up while young');
  t.false(clockMoves([], start, start + 5000));
});
