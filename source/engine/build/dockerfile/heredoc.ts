/**
 * Heredoc detection, as BuildKit does it. A logical line is split into shell words keeping
 * quotes, escapes and `$vars` raw; every word shaped like `[N]<<[-]WORD` starts a heredoc.
 * Whether the body is expanded depends on whether any part of WORD was quoted, which BuildKit
 * learns by lexing WORD twice (quotes kept and removed) and comparing the quote counts.
 *
 * This is word splitting only, with an empty environment: no variable is ever substituted
 * (expansion proper belongs to the build's shell-word expander).
 */
import { LocalSyntaxError } from './errors.js';

export interface Heredoc {
  /** The terminator word with quotes removed (`<<'EOF'` → `EOF`). */
  name: string;
  /** `3<<EOF` → 3; 0 when no descriptor is given. */
  fileDescriptor: number;
  /** False when the terminator was quoted: the body is taken literally. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from the body (see chompHeredocContent) and the terminator. */
  chomp: boolean;
  /** The raw body, line endings included, tabs not yet stripped. */
  content: string;
}

const heredocPattern = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/s;

interface LexOptions {
  rawQuotes: boolean;
  rawEscapes: boolean;
}

function isSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(ch);
}

/** Collects words the way BuildKit's wordsStruct does (a raw add starts a word even when empty). */
class Words {
  readonly words: string[] = [];
  private word = '';
  private inWord = false;

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word.length > 0) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else {
      this.addRaw(ch);
    }
  }

  addRaw(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word.length > 0) this.words.push(this.word);
    this.word = '';
    this.inWord = false;
    return this.words;
  }
}

/** Splits `text` into shell words with an empty environment where unset variables stay as written. */
function lexWords(text: string, options: LexOptions): string[] {
  const chars = Array.from(text);
  const words = new Words();
  let pos = 0;
  const peek = (): string | undefined => chars[pos];

  const singleQuoted = (): string => {
    pos++; // opening quote
    let out = options.rawQuotes ? "'" : '';
    for (;;) {
      const ch = chars[pos++];
      if (ch === undefined) throw new LocalSyntaxError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") break;
      out += ch;
    }
    return options.rawQuotes ? out + "'" : out;
  };

  const doubleQuoted = (): string => {
    pos++;
    let out = options.rawQuotes ? '"' : '';
    for (;;) {
      const ch = peek();
      if (ch === undefined) throw new LocalSyntaxError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        pos++;
        break;
      }
      if (ch === '$') {
        out += dollar();
        continue;
      }
      pos++;
      if (ch === '\\') {
        const next = peek();
        if (next === undefined) continue;
        if (next === '"' || next === '$' || next === '\\') {
          if (options.rawEscapes) out += ch;
          out += next;
          pos++;
          continue;
        }
      }
      out += ch;
    }
    return options.rawQuotes ? out + '"' : out;
  };

  // With no variable set and unset ones skipped, `$name` and `${…}` come back as written.
  const dollar = (): string => {
    pos++;
    if (peek() !== '{') {
      let name = '';
      while (peek() !== undefined && /^[A-Za-z0-9_]$/.test(peek() ?? '')) name += chars[pos++];
      return '$' + name;
    }
    pos++;
    const first = peek();
    if (first === undefined) throw new LocalSyntaxError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LocalSyntaxError('syntax error: bad substitution');
    let body = '';
    let depth = 1;
    for (;;) {
      const ch = chars[pos++];
      if (ch === undefined) throw new LocalSyntaxError("syntax error: missing '}'");
      if (ch === '{') depth++;
      if (ch === '}' && --depth === 0) break;
      body += ch;
    }
    return '${' + body + '}';
  };

  // `<<` swallows the whitespace after it (and a `-`) so `<<  EOF` stays one word.
  const angle = (): string => {
    pos++;
    if (peek() !== '<') return '<';
    pos++;
    let out = '<<';
    if (peek() === '-') {
      out += '-';
      pos++;
    }
    while (peek() !== undefined && /^[\t\n\f\r ]$/.test(peek() ?? '')) out += chars[pos++];
    return out;
  };

  while (pos < chars.length) {
    const ch = chars[pos] ?? '';
    if (ch === "'") words.addRaw(singleQuoted());
    else if (ch === '"') words.addRaw(doubleQuoted());
    else if (ch === '$') for (const c of dollar()) words.addChar(c);
    else if (ch === '<') words.addRaw(angle());
    else {
      pos++;
      if (ch === '\\') {
        if (options.rawEscapes) words.addRaw(ch);
        const next = chars[pos++];
        if (next === undefined) break;
        words.addRaw(next);
      } else {
        words.addChar(ch);
      }
    }
  }
  return words.finish();
}

function countQuotes(text: string): number {
  let count = 0;
  for (const ch of text) if (ch === "'" || ch === '"') count++;
  return count;
}

/**
 * ParseHeredoc on one word: the heredoc it opens, null when it is not one, or a
 * LocalSyntaxError when the terminator is malformed (an unterminated quote).
 */
export function parseHeredocWord(word: string): Heredoc | null {
  const match = heredocPattern.exec(word);
  if (!match) return null;
  const rest = match[3] ?? '';
  if (rest === '') return null;
  const plain = lexWords(rest, { rawQuotes: false, rawEscapes: false });
  if (plain.length !== 1) return null;
  const raw = lexWords(rest, { rawQuotes: true, rawEscapes: false });
  if (raw.length !== 1) throw new LocalSyntaxError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  const name = plain[0] ?? '';
  return {
    name,
    fileDescriptor: Number.parseInt(match[1] || '0', 10),
    expand: countQuotes(name) === countQuotes(raw[0] ?? ''),
    chomp: match[2] === '-',
    content: '',
  };
}

/** Every heredoc an instruction line opens, in order (bodies still empty). */
export function heredocsFromLine(line: string): Heredoc[] {
  let words: string[];
  try {
    words = lexWords(line, { rawQuotes: true, rawEscapes: true });
  } catch {
    // BuildKit ignores lexing errors here: a line that does not lex has no heredocs.
    return [];
  }
  const docs: Heredoc[] = [];
  for (const word of words) {
    const doc = parseHeredocWord(word);
    if (doc) docs.push(doc);
  }
  return docs;
}

/** Strips leading tabs from every line of a `<<-` body, as BuildKit does when it uses the body. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}
