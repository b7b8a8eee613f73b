/**
 * Turning held log lines into what a terminal row can show: control characters and escape
 * sequences from the container removed (they would move the dashboard's cursor), tabs expanded,
 * the optional source and timestamp prefixes, and the text cut into highlight runs.
 */
import type { LogLine } from './log-buffer.js';
import { matchRanges } from './log-search.js';

// CSI/OSC sequences and lone C0/C1 controls a program may print.
const ESCAPES =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function sanitize(text: string): string {
  return text.replace(ESCAPES, '').replaceAll('\t', '    ');
}

export function timestampOf(line: LogLine): string {
  // RFC3339Nano → "2026-11-23 17:26:13.123"
  return line.time.slice(0, 23).replace('T', ' ');
}

/** The line as saved to a file or copied: optional timestamp and source, then the text. */
export function plainLine(line: LogLine, options: { timestamps: boolean; showSource: boolean }): string {
  const parts: string[] = [];
  if (options.timestamps) parts.push(line.time);
  if (options.showSource) parts.push(`${line.source} |`);
  parts.push(sanitize(line.text));
  return parts.join(' ');
}

export interface Run {
  text: string;
  match: boolean;
}

/** `text` split into plain and matching runs, limited to `width` characters. */
export function highlightRuns(text: string, pattern: RegExp | undefined, width: number): Run[] {
  const shown = text.length > width ? text.slice(0, width) : text;
  if (!pattern) return [{ text: shown, match: false }];
  const runs: Run[] = [];
  let at = 0;
  for (const [start, end] of matchRanges(shown, pattern)) {
    if (start > at) runs.push({ text: shown.slice(at, start), match: false });
    runs.push({ text: shown.slice(start, end), match: true });
    at = end;
  }
  if (at < shown.length) runs.push({ text: shown.slice(at), match: false });
  return runs;
}

/** Screen rows a line takes at `width` columns when wrapped. */
export function rowsFor(length: number, width: number, wrap: boolean): number {
  if (!wrap || width <= 0) return 1;
  return Math.max(1, Math.ceil(length / width));
}

/** Positions [from, to) in `lengths` (bottom at `bottom`) that fill `height` rows. */
export function fillFromBottom(
  lengths: readonly number[],
  bottom: number,
  height: number,
  width: number,
  wrap: boolean,
): [number, number] {
  let rows = 0;
  let from = bottom + 1;
  while (from > 0) {
    const needed = rowsFor(lengths[from - 1] ?? 0, width, wrap);
    if (rows + needed > height) break;
    rows += needed;
    from--;
  }
  return [from, bottom + 1];
}
