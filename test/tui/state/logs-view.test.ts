import test from 'ava';
import { LogBuffer } from '../../../source/tui/state/log-buffer.js';
import {
  bottomIndex,
  cycle,
  displayedSeqs,
  initialLogsView,
  jumpToMatch,
  scrollBy,
  scrollToTop,
  seqRange,
  seqsBetween,
  setQuery,
  sinceChoices,
  sinceMs,
  toggleFollow,
} from '../../../source/tui/state/logs-view.js';

function filled(
  count: number,
  limits = { maxLines: 1000, maxBytes: 1 << 20, maxLineLength: 100 },
): LogBuffer {
  const buffer = new LogBuffer(limits);
  for (let index = 0; index < count; index++) {
    buffer.push({ source: 'web', stream: 'stdout', time: '2026-01-01T00:00:00Z', text: `line ${index}` });
  }
  return buffer;
}

test('following shows the last line; scrolling up stops following, reaching the end resumes it', (t) => {
  const buffer = filled(100);
  const seqs = displayedSeqs(buffer, initialLogsView);
  t.is(bottomIndex(initialLogsView, seqs), 99);
  const up = scrollBy(initialLogsView, seqs, -10);
  t.false(up.follow);
  t.is(bottomIndex(up, seqs), 89);
  const down = scrollBy(up, seqs, 10);
  t.true(down.follow);
});

test('a paused view keeps its line while old lines fall off the front', (t) => {
  const buffer = filled(50, { maxLines: 50, maxBytes: 1 << 20, maxLineLength: 100 });
  const paused = toggleFollow(initialLogsView, displayedSeqs(buffer, initialLogsView));
  const bottomSeq = paused.bottomSeq;
  for (let index = 0; index < 10; index++)
    buffer.push({ source: 'web', stream: 'stdout', time: '', text: `more ${index}` });
  const seqs = displayedSeqs(buffer, paused);
  t.is(seqs.at(bottomIndex(paused, seqs)), bottomSeq ?? -1);
  t.is(buffer.at(bottomIndex(paused, seqs))?.text, 'line 49');
});

test('the unfiltered view is a range of seqs, not an array per frame', (t) => {
  const buffer = filled(30, { maxLines: 20, maxBytes: 1 << 20, maxLineLength: 100 });
  const seqs = displayedSeqs(buffer, initialLogsView);
  t.false(Array.isArray(seqs));
  t.is(seqs.length, 20);
  t.is(seqs.at(0), 10);
  t.is(seqs.at(-1), 29);
  t.is(seqs.at(20), undefined);
  t.deepEqual(seqsBetween(seqs, 17, 99), [27, 28, 29]);
  t.deepEqual(seqsBetween(seqRange(5, 0), 0, 3), []);
});

test('top goes to the first page', (t) => {
  const buffer = filled(100);
  const seqs = displayedSeqs(buffer, initialLogsView);
  t.is(bottomIndex(scrollToTop(initialLogsView, seqs, 20), seqs), 19);
});

test('filter mode keeps matches with context lines', (t) => {
  const buffer = filled(100);
  const view = { ...setQuery(initialLogsView, '^line 50$'), filterMode: true, context: 2 };
  const seqs = displayedSeqs(buffer, view);
  t.deepEqual(
    seqsBetween(seqs, 0, seqs.length).map((seq) => buffer.at(seq - buffer.firstSeq)?.text),
    ['line 48', 'line 49', 'line 50', 'line 51', 'line 52'],
  );
});

test('n and N jump between matches and wrap around', (t) => {
  const buffer = filled(100);
  let view = setQuery(initialLogsView, 'line [12]0$');
  view = jumpToMatch(view, buffer, 1, 10);
  t.is(view.currentMatch, 10);
  view = jumpToMatch(view, buffer, 1, 10);
  t.is(view.currentMatch, 20);
  view = jumpToMatch(view, buffer, 1, 10);
  t.is(view.currentMatch, 10, 'wraps to the first');
  view = jumpToMatch(view, buffer, -1, 10);
  t.is(view.currentMatch, 20, 'wraps to the last going back');
  t.false(view.follow);
});

test('an invalid regular expression is reported, not thrown', (t) => {
  const view = setQuery(initialLogsView, 'a(');
  t.is(view.pattern, undefined);
  t.regex(view.searchError ?? '', /invalid regular expression/);
});

test('since choices cycle and turn into a time window', (t) => {
  t.is(cycle(sinceChoices, 'all'), '1m');
  t.is(cycle(sinceChoices, '1h'), 'all');
  t.is(sinceMs('all', 1_000_000), undefined);
  t.is(sinceMs('10m', 1_000_000), 400_000);
});
