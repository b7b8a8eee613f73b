/**
 * How each instruction's arguments are split, mirroring BuildKit's line_parsers.go: exec form
 * (a JSON array of strings) when the text parses as one, shell form otherwise; ENV/LABEL pairs
 * in both the `k=v` and legacy `k v` forms; whitespace-split words for the rest.
 */
import { LocalSyntaxError } from './errors.js';
import { goQuote } from '../../util/go-quote.js';

export interface ParsedArgs {
  args: string[];
  json: boolean;
}

const none: ParsedArgs = { args: [], json: false };

/** BuildKit's reWhitespace: the separators between words. */
const wordSeparators = /[\t\v\f\r ]+/;
const goSpace = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;

export function isGoSpace(ch: string): boolean {
  return goSpace.test(ch);
}

export function trimLeftGoSpace(text: string): string {
  let start = 0;
  while (start < text.length && isGoSpace(text[start] ?? '')) start++;
  return text.slice(start);
}

export function trimGoSpace(text: string): string {
  let end = text.length;
  while (end > 0 && isGoSpace(text[end - 1] ?? '')) end--;
  return trimLeftGoSpace(text.slice(0, end));
}

export const notStringArrayMessage = 'when using JSON array syntax, arrays must be comprised of strings only';

/**
 * The end (exclusive) of the JSON value that starts `text` with `[`, or -1 when it never closes.
 * Go's json.Decoder reads exactly one value and ignores what follows, so `CMD ["a"] b` is exec form.
 */
function firstJsonValueEnd(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The exec-form elements, null when the text is not a JSON array at all (shell form then). */
export function parseJsonArray(rest: string): string[] | null {
  const text = trimLeftGoSpace(rest);
  if (!text.startsWith('[')) return null;
  const end = firstJsonValueEnd(text);
  if (end < 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(0, end));
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  const strings: string[] = [];
  for (const element of value as unknown[]) {
    if (typeof element !== 'string') throw new LocalSyntaxError(notStringArrayMessage);
    strings.push(element);
  }
  return strings;
}

/** RUN, CMD, ENTRYPOINT, SHELL: exec form, or the whole rest as one shell-form string. */
export function parseMaybeJson(rest: string): ParsedArgs {
  if (rest === '') return none;
  const list = parseJsonArray(rest);
  if (list) return { args: list, json: true };
  return { args: [rest], json: false };
}

/** ADD, COPY, VOLUME: exec form, or whitespace-separated words. */
export function parseMaybeJsonToList(rest: string): ParsedArgs {
  const list = parseJsonArray(rest);
  if (list) return { args: list, json: true };
  return parseStringsWhitespaceDelimited(rest);
}

/** FROM, EXPOSE. */
export function parseStringsWhitespaceDelimited(rest: string): ParsedArgs {
  if (rest === '') return none;
  return { args: rest.split(wordSeparators), json: false };
}

/** MAINTAINER, USER, WORKDIR, STOPSIGNAL: the rest as one argument. */
export function parseString(rest: string): ParsedArgs {
  if (rest === '') return none;
  return { args: [rest], json: false };
}

/**
 * Splits on whitespace while keeping quoted runs and escaped characters together; quotes and
 * escape characters stay in the words (they are removed later, by the expander).
 */
export function parseWords(rest: string, escapeChar: string): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos] ?? '';
    const atEnd = pos === chars.length;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isGoSpace(ch)) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escapeChar) {
        if (pos + 1 === chars.length) continue; // a trailing escape is dropped
        // Outside quotes the escape and the next character are both kept, even a quote.
        word += ch;
        pos++;
        ch = chars[pos] ?? '';
      }
      word += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) phase = 'word';
    if (ch === escapeChar && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos] ?? '';
    }
    word += ch;
  }
  return words;
}

/** ENV and LABEL: `key value sep` triples; sep is `=` for `k=v` pairs, empty for the legacy form. */
export function parseNameVal(rest: string, keyword: string, escapeChar: string): ParsedArgs {
  const words = parseWords(rest, escapeChar);
  if (words.length === 0) return none;
  if (!(words[0] ?? '').includes('=')) {
    // Legacy `KEY name value with spaces`: the first word is the name, the rest of the line the value.
    const match = /^([\s\S]*?)[\t\v\f\r ]+([\s\S]*)$/.exec(rest);
    if (!match) throw new LocalSyntaxError(`${keyword} must have two arguments`);
    return { args: [match[1] ?? '', match[2] ?? '', ''], json: false };
  }
  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new LocalSyntaxError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    }
    args.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return { args, json: false };
}

/** ARG: raw words (`name`, `name=value`). */
export function parseNameOrNameVal(rest: string, escapeChar: string): ParsedArgs {
  return { args: parseWords(rest, escapeChar), json: false };
}

/** HEALTHCHECK: the first word (CMD, NONE, …) then the rest parsed like CMD. */
export function parseHealthConfig(rest: string): ParsedArgs {
  let sep = 0;
  while (sep < rest.length && !isGoSpace(rest[sep] ?? '')) sep++;
  if (sep === 0) return none;
  let next = sep;
  while (next < rest.length && isGoSpace(rest[next] ?? '')) next++;
  const command = parseMaybeJson(rest.slice(next));
  return { args: [rest.slice(0, sep), ...command.args], json: command.json };
}
