import test from 'ava';
import { fillFromBottom, highlightRuns, plainLine, sanitize } from '../../../source/tui/state/log-lines.js';
import { compileSearch } from '../../../source/tui/state/log-search.js';

test('escape sequences and control characters from a container cannot move the cursor', (t) => {
  t.is(sanitize('\u001b[2J\u001b[Hred \u001b[31mtext\u001b[0m\u0007\r'), 'red text');
  t.is(sanitize('a\tb'), 'a    b');
  t.is(sanitize('\u001b]52;c;aGk=\u0007x'), 'x');
});

test('matches become highlighted runs, clipped to the width', (t) => {
  const compiled = compileSearch('err');
  if (!compiled.ok) return t.fail();
  t.deepEqual(highlightRuns('an error, another Err', compiled.pattern, 100), [
    { text: 'an ', match: false },
    { text: 'err', match: true },
    { text: 'or, another ', match: false },
    { text: 'Err', match: true },
  ]);
  t.deepEqual(highlightRuns('x'.repeat(50), undefined, 10), [{ text: 'x'.repeat(10), match: false }]);
});

test('wrapped lines fill the rows from the bottom', (t) => {
  // Lengths 5, 25, 5 at width 10: 1 + 3 + 1 rows.
  t.deepEqual(fillFromBottom([5, 25, 5], 2, 4, 10, true), [1, 3]);
  t.deepEqual(fillFromBottom([5, 25, 5], 2, 5, 10, true), [0, 3]);
  t.deepEqual(fillFromBottom([5, 25, 5], 2, 2, 10, false), [1, 3]);
});

test('saved lines carry the timestamp and source when asked', (t) => {
  const line = {
    seq: 0,
    source: 'web',
    stream: 'stdout' as const,
    time: '2026-01-01T00:00:00.5Z',
    text: 'hi',
    clipped: false,
  };
  t.is(plainLine(line, { timestamps: true, showSource: true }), '2026-01-01T00:00:00.5Z web | hi');
  t.is(plainLine(line, { timestamps: false, showSource: false }), 'hi');
});
