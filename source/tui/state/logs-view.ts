/**
 * The Logs pane's view over the LogBuffer, free of Ink: follow or a fixed bottom line, scrolling,
 * timestamps, wrap, since/tail choices, search with n/N, and filter mode with context. Lines are
 * addressed by their sequence number so the view keeps its place while old lines fall off.
 */
import { compileSearch, filterWithContext, findMatches, nextMatch } from './log-search.js';
import type { LogBuffer } from './log-buffer.js';

export const sinceChoices = ['all', '1m', '10m', '1h'] as const;
export type SinceChoice = (typeof sinceChoices)[number];
export const tailChoices = [1000, 100, 10_000, 'all'] as const;
export type TailChoice = (typeof tailChoices)[number];

export interface LogsView {
  follow: boolean;
  /** Seq of the bottom line shown when not following. */
  bottomSeq?: number;
  timestamps: boolean;
  wrap: boolean;
  since: SinceChoice;
  tail: TailChoice;
  query: string;
  pattern?: RegExp;
  searchError?: string;
  filterMode: boolean;
  context: number;
  /** Seq of the current match (n/N). */
  currentMatch?: number;
}

export const initialLogsView: LogsView = {
  follow: true,
  timestamps: false,
  wrap: false,
  since: 'all',
  tail: 1000,
  query: '',
  filterMode: false,
  context: 2,
};

export function sinceMs(choice: SinceChoice, now = Date.now()): number | undefined {
  const minutes = { all: 0, '1m': 1, '10m': 10, '1h': 60 }[choice];
  return minutes ? now - minutes * 60_000 : undefined;
}

export function cycle<T>(choices: readonly T[], current: T): T {
  return choices[(choices.indexOf(current) + 1) % choices.length] as T;
}

/**
 * The seqs the pane shows, in order. An array satisfies it; so does a plain range, which is what
 * the unfiltered view uses: an array of 10 000 numbers per frame under a log flood was the
 * largest thing the dashboard promoted to V8's old generation.
 */
export interface SeqList {
  readonly length: number;
  at(index: number): number | undefined;
}

/** Seqs first … first+count-1 without an array. */
export function seqRange(first: number, count: number): SeqList {
  return {
    length: count,
    at: (index) => {
      const position = index < 0 ? count + index : index;
      return position >= 0 && position < count ? first + position : undefined;
    },
  };
}

/** The seqs from `from` to `to` (exclusive) as an array, for the few lines a frame draws. */
export function seqsBetween(seqs: SeqList, from: number, to: number): number[] {
  const result: number[] = [];
  for (let index = Math.max(0, from); index < Math.min(to, seqs.length); index++) {
    const seq = seqs.at(index);
    if (seq !== undefined) result.push(seq);
  }
  return result;
}

/** Seqs of the lines the pane shows: every held line, or in filter mode the matches with context. */
export function displayedSeqs(buffer: LogBuffer, view: LogsView): SeqList {
  const first = buffer.firstSeq;
  if (view.filterMode && view.pattern)
    return filterWithContext(buffer, view.pattern, view.context).map((position) => position + first);
  return seqRange(first, buffer.size);
}

/** Index in `seqs` of the bottom line shown. */
export function bottomIndex(view: LogsView, seqs: SeqList): number {
  if (view.follow || view.bottomSeq === undefined) return seqs.length - 1;
  // The last displayed line at or before bottomSeq (it may have been filtered out or dropped).
  let low = 0;
  let high = seqs.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((seqs.at(middle) ?? 0) <= view.bottomSeq) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return Math.max(found, Math.min(seqs.length - 1, 0));
}

/** Moves the bottom line by `delta` displayed lines; reaching the end resumes following. */
export function scrollBy(view: LogsView, seqs: SeqList, delta: number): LogsView {
  if (seqs.length === 0) return view;
  const target = bottomIndex(view, seqs) + delta;
  if (target >= seqs.length - 1) return { ...view, follow: true, bottomSeq: undefined };
  return { ...view, follow: false, bottomSeq: seqs.at(Math.max(0, target)) };
}

export function scrollToTop(view: LogsView, seqs: SeqList, height: number): LogsView {
  if (seqs.length <= height) return view;
  return { ...view, follow: false, bottomSeq: seqs.at(Math.max(0, height - 1)) };
}

export function scrollToBottom(view: LogsView): LogsView {
  return { ...view, follow: true, bottomSeq: undefined };
}

export function toggleFollow(view: LogsView, seqs: SeqList): LogsView {
  if (view.follow) return { ...view, follow: false, bottomSeq: seqs.at(seqs.length - 1) };
  return scrollToBottom(view);
}

export function setQuery(view: LogsView, query: string): LogsView {
  if (!query)
    return {
      ...view,
      query,
      pattern: undefined,
      searchError: undefined,
      currentMatch: undefined,
      filterMode: false,
    };
  const compiled = compileSearch(query);
  if (!compiled.ok) return { ...view, query, pattern: undefined, searchError: compiled.error };
  return { ...view, query, pattern: compiled.pattern, searchError: undefined };
}

/** n / N: the next match after (or before) the current one, brought to the middle of the view. */
export function jumpToMatch(view: LogsView, buffer: LogBuffer, direction: 1 | -1, height: number): LogsView {
  if (!view.pattern) return view;
  const first = buffer.firstSeq;
  const matches = findMatches(buffer, view.pattern);
  const from =
    view.currentMatch !== undefined
      ? view.currentMatch - first
      : direction === 1
        ? -1
        : (view.bottomSeq ?? first + buffer.size) - first + 1;
  const position = nextMatch(matches, from, direction);
  if (position === undefined) return { ...view, currentMatch: undefined };
  const seq = position + first;
  const bottom = Math.min(first + buffer.size - 1, seq + Math.floor(height / 2));
  return { ...view, currentMatch: seq, follow: false, bottomSeq: bottom };
}

/** How many matches the buffer holds, for the status text. */
export function matchCount(view: LogsView, buffer: LogBuffer): number {
  return view.pattern ? findMatches(buffer, view.pattern).length : 0;
}
