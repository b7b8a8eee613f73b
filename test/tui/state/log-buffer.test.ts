import test from 'ava';
import { LogBuffer } from '../../../source/tui/state/log-buffer.js';
import {
  compileSearch,
  filterWithContext,
  findMatches,
  matchRanges,
  nextMatch,
} from '../../../source/tui/state/log-search.js';

const line = (text: string) => ({
  source: 'web',
  stream: 'stdout' as const,
  time: '2026-11-23T00:00:00Z',
  text,
});

test('keeps at most maxLines, dropping the oldest', (t) => {
  const buffer = new LogBuffer({ maxLines: 3, maxBytes: 1000, maxLineLength: 100 });
  for (let index = 0; index < 5; index++) buffer.push(line(`line ${index}`));
  t.is(buffer.size, 3);
  t.deepEqual(
    buffer.slice(0, 10).map((entry) => entry.text),
    ['line 2', 'line 3', 'line 4'],
  );
  t.is(buffer.firstSeq, 2);
});

test('keeps at most maxBytes and clips a huge line', (t) => {
  const buffer = new LogBuffer({ maxLines: 100, maxBytes: 50, maxLineLength: 20 });
  buffer.push(line('x'.repeat(1_000_000)));
  t.is(buffer.at(0)?.text.length, 20);
  t.true(buffer.at(0)?.clipped);
  for (let index = 0; index < 10; index++) buffer.push(line('0123456789'));
  t.true(buffer.byteSize <= 50);
  t.is(buffer.size, 5);
});

test('memory stays bounded under 200 000 lines', (t) => {
  const buffer = new LogBuffer({ maxLines: 1000, maxBytes: 64 * 1024, maxLineLength: 256 });
  for (let index = 0; index < 200_000; index++) buffer.push(line(`request ${index} served in 3ms`));
  t.true(buffer.size <= 1000);
  t.true(buffer.byteSize <= 64 * 1024);
  t.is(buffer.at(buffer.size - 1)?.text, 'request 199999 served in 3ms');
});

test('held lines are always the newest ones, intact, whatever their lengths', (t) => {
  const limits = { maxLines: 300, maxBytes: 4096, maxLineLength: 700 };
  const buffer = new LogBuffer(limits);
  const pushed: string[] = [];
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let index = 0; index < 5000; index++) {
    const text = index % 13 === 0 ? '' : `${index}:` + 'é→x'.repeat(Math.floor(random() * random() * 250));
    buffer.push({ ...line(text), stream: index % 3 === 0 ? 'stderr' : 'stdout', source: `s${index % 4}` });
    pushed.push(text.slice(0, limits.maxLineLength));
    t.true(buffer.byteSize <= limits.maxBytes);
    t.true(buffer.size <= limits.maxLines);
    t.true(buffer.size >= 1);
  }
  const held = buffer.slice(0, buffer.size);
  t.deepEqual(
    held.map((entry) => entry.text),
    pushed.slice(pushed.length - buffer.size),
  );
  t.is(held.at(-1)?.seq, 4999);
  t.is(buffer.firstSeq, 5000 - buffer.size);
  const last = buffer.at(buffer.size - 1);
  t.is(last?.stream, 4999 % 3 === 0 ? 'stderr' : 'stdout');
  t.is(last?.source, 's3');
  t.is(last?.time, '2026-11-23T00:00:00Z');
});

test('short lines keep a small ring; clear empties the buffer but keeps counting', (t) => {
  const buffer = new LogBuffer();
  for (let index = 0; index < 20_000; index++) buffer.push(line(`GET /items/${index} 200`));
  t.is(buffer.size, 10_000);
  t.is(buffer.textAt(0), 'GET /items/10000 200');
  buffer.clear();
  t.is(buffer.size, 0);
  t.is(buffer.at(0), undefined);
  buffer.push(line('after'));
  t.is(buffer.at(0)?.seq, 20_000);
  t.is(buffer.textAt(0), 'after');
});

test('search is smart-case and reports bad patterns', (t) => {
  const lower = compileSearch('error');
  const upper = compileSearch('Error');
  t.true(lower.ok && lower.pattern.flags.includes('i'));
  t.true(upper.ok && !upper.pattern.flags.includes('i'));
  const bad = compileSearch('(');
  t.false(bad.ok);
  t.regex(bad.ok ? '' : bad.error, /invalid regular expression/);
});

test('matches, navigation and filter mode with context', (t) => {
  const buffer = new LogBuffer();
  for (const text of ['a', 'error one', 'b', 'c', 'd', 'error two', 'e']) buffer.push(line(text));
  const search = compileSearch('error');
  if (!search.ok) return t.fail();
  const matches = findMatches(buffer, search.pattern);
  t.deepEqual(matches, [1, 5]);
  t.is(nextMatch(matches, 1, 1), 5);
  t.is(nextMatch(matches, 5, 1), 1, 'wraps around');
  t.is(nextMatch(matches, 5, -1), 1);
  t.deepEqual(filterWithContext(buffer, search.pattern, 1), [0, 1, 2, 4, 5, 6]);
  t.deepEqual(matchRanges('error and error', search.pattern), [
    [0, 5],
    [10, 15],
  ]);
});
