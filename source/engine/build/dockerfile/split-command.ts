/**
 * Splits a logical line into keyword, leading `--flags` and the remaining argument text, as
 * BuildKit's splitCommand/extractBuilderFlags do. Flag words may be quoted (`--from="a b"`);
 * quotes are removed and `\` escapes the next character. A bare `--` ends the flags.
 */
import { isGoSpace, trimGoSpace } from './line-parsers.js';

export interface SplitCommand {
  keyword: string;
  flags: string[];
  rest: string;
}

export function splitCommand(line: string): SplitCommand {
  const trimmed = trimGoSpace(line);
  const match = /^([\s\S]*?)[\t\v\f\r ]+([\s\S]*)$/.exec(trimmed);
  if (!match) return { keyword: trimmed, flags: [], rest: '' };
  const { flags, rest } = extractBuilderFlags(match[2] ?? '');
  return { keyword: match[1] ?? '', flags, rest: trimGoSpace(rest) };
}

export function extractBuilderFlags(line: string): { flags: string[]; rest: string } {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    let ch = line[pos] ?? '';
    const atEnd = pos === line.length;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isGoSpace(ch)) continue;
      // Flags only continue while the next word starts with `--`.
      if (ch !== '-' || line[pos + 1] !== '-') return { flags: words, rest: line.slice(pos) };
      phase = 'word';
    }
    if (atEnd) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { flags: words, rest: line.slice(pos) };
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue;
        pos++;
        ch = line[pos] ?? '';
      }
      word += ch;
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      pos++;
      ch = line[pos] ?? '';
    }
    word += ch;
  }
  return { flags: words, rest: '' };
}
