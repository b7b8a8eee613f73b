/**
 * Search over the log buffer: a user regular expression (case-insensitive unless it has an
 * uppercase letter, like less's smart case), match positions for highlighting, next/previous
 * navigation, and the filter mode that keeps matching lines with N lines of context.
 */
import type { LogBuffer } from './log-buffer.js';

export type CompiledSearch = { ok: true; pattern: RegExp } | { ok: false; error: string };

export function compileSearch(query: string): CompiledSearch {
  try {
    const flags = /[A-Z]/.test(query) ? 'g' : 'gi';
    return { ok: true, pattern: new RegExp(query, flags) };
  } catch (error) {
    return { ok: false, error: `invalid regular expression: ${(error as Error).message}` };
  }
}

/** [start, end) character ranges of every match in a line, for highlighting. */
export function matchRanges(text: string, pattern: RegExp): [number, number][] {
  const ranges: [number, number][] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}

function lineMatches(text: string, pattern: RegExp): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

/** Positions (0 = oldest held) of the matching lines. */
export function findMatches(buffer: LogBuffer, pattern: RegExp): number[] {
  const found: number[] = [];
  for (let index = 0; index < buffer.size; index++) {
    // Only the text: building whole lines for every held line would cost a frame dearly.
    const text = buffer.textAt(index);
    if (text !== undefined && lineMatches(text, pattern)) found.push(index);
  }
  return found;
}

/** The next match after `from` (wrapping), or the previous one before it with direction -1. */
export function nextMatch(matches: readonly number[], from: number, direction: 1 | -1): number | undefined {
  if (matches.length === 0) return undefined;
  if (direction === 1) return matches.find((position) => position > from) ?? matches[0];
  for (let index = matches.length - 1; index >= 0; index--) {
    const position = matches[index];
    if (position !== undefined && position < from) return position;
  }
  return matches[matches.length - 1];
}

/** Filter mode: positions of matching lines plus `context` lines around each, in order, no repeats. */
export function filterWithContext(buffer: LogBuffer, pattern: RegExp, context: number): number[] {
  const keep = new Set<number>();
  for (const position of findMatches(buffer, pattern)) {
    for (let offset = -context; offset <= context; offset++) {
      const neighbour = position + offset;
      if (neighbour >= 0 && neighbour < buffer.size) keep.add(neighbour);
    }
  }
  return [...keep].sort((a, b) => a - b);
}
