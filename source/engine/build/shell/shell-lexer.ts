/**
 * Shell-word expansion with the semantics of BuildKit's lexer (frontend/dockerfile/shell/lex.go):
 * quote removal, escapes, `$v` / `${v}` and the `${v…}` modifiers docker supports. It is not a
 * shell: there is no command substitution, arithmetic or assignment, and unsupported forms are
 * errors rather than passed through.
 */
import { isGoDigit, isGoLetter } from './go-text.js';
import { replaceAll, replaceFirst, trimPrefix, trimSuffix } from './shell-pattern.js';
import { WordCollector } from './word-collector.js';

export interface ShellOptions {
  /** The Dockerfile's escape character: `\` (default) or `` ` `` from `# escape=`. */
  readonly escapeChar?: string;
  /** Leave references to unset variables as written (`$X`, `${X:-y}`) instead of expanding them. */
  readonly skipUnsetEnv?: boolean;
  /** Keep quote characters in the result (quoting still groups and protects text). */
  readonly rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  readonly rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (only `$` and escapes are special). */
  readonly skipProcessQuotes?: boolean;
}

export interface ExpansionOutcome {
  readonly result: string;
  readonly words: string[];
  readonly matched: Set<string>;
  readonly unmatched: Set<string>;
}

/** A failure inside the lexer; the caller wraps it with the word it was processing. */
export class LexFailure extends Error {}

export class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  private readonly escape: string;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();

  constructor(
    word: string,
    private readonly env: ReadonlyMap<string, string>,
    private readonly options: ShellOptions,
  ) {
    this.chars = Array.from(word);
    this.rawEscapes = options.rawEscapes ?? false;
    this.escape = options.escapeChar ?? '\\';
  }

  run(): ExpansionOutcome {
    const [result, words] = this.processStopOn(undefined, this.rawEscapes);
    return { result, words, matched: this.matched, unmatched: this.unmatched };
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    if (this.pos >= this.chars.length) return undefined;
    return this.chars[this.pos++];
  }

  /** Processes up to `stop` (consumed) or the end of the word; returns the text and its fields. */
  private processStopOn(stop: string | undefined, rawEscapes: boolean): [string, string[]] {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      const words = new WordCollector();
      const quotes = !this.options.skipProcessQuotes;
      for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
        if (stop !== undefined && ch === stop) {
          this.next();
          return [result, words.finish()];
        }
        if (ch === '$') {
          const value = this.processDollar();
          result += value;
          words.addString(value);
        } else if (quotes && (ch === "'" || ch === '"')) {
          const value = ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
          result += value;
          words.addRawString(value);
        } else {
          let c = this.next()!;
          if (c === this.escape) {
            if (this.rawEscapes) {
              words.addRawChar(c);
              result += c;
            }
            // An escape at the very end of the word is dropped.
            const escaped = this.next();
            if (escaped === undefined) break;
            c = escaped;
            words.addRawChar(c);
          } else {
            words.addChar(c);
          }
          result += c;
        }
      }
      if (stop !== undefined) {
        throw new LexFailure(`unexpected end of statement while looking for matching ${stop}`);
      }
      return [result, words.finish()];
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; a single quote cannot be escaped inside.
    let result = '';
    const open = this.next()!;
    if (this.options.rawQuotes) result += open;
    for (;;) {
      const ch = this.next();
      if (ch === undefined) {
        throw new LexFailure('unexpected end of statement while looking for matching single-quote');
      }
      if (ch === "'") {
        if (this.options.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except `$` expansions; the escape char only escapes `"`, `$` and itself.
    let result = '';
    const open = this.next()!;
    if (this.options.rawQuotes) result += open;
    for (;;) {
      const peek = this.peek();
      if (peek === undefined) {
        throw new LexFailure('unexpected end of statement while looking for matching double-quote');
      }
      if (peek === '"') {
        this.next();
        if (this.options.rawQuotes) result += peek;
        return result;
      }
      if (peek === '$') {
        result += this.processDollar();
        continue;
      }
      let ch = this.next()!;
      if (ch === this.escape) {
        if (this.rawEscapes) result += ch;
        const after = this.peek();
        if (after === undefined) continue;
        if (after === '"' || after === '$' || after === this.escape) ch = this.next()!;
      }
      result += ch;
    }
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const [value, found] = this.getEnv(name);
      if (!found && this.options.skipUnsetEnv) return `$${name}`;
      return value;
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw new LexFailure("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexFailure('syntax error: bad substitution');

    const name = this.processName();
    let ch = this.next();
    let modifier = ch ?? '';
    if (ch === '}') {
      const [value, found] = this.getEnv(name);
      if (!found && this.options.skipUnsetEnv) return `\${${name}}`;
      return value;
    }
    if (ch === '/') return this.processReplace(name);
    if (ch === undefined) throw new LexFailure("syntax error: missing '}'");

    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      modifier += ch ?? '';
    } else if (ch !== '+' && ch !== '-' && ch !== '?' && ch !== '#' && ch !== '%') {
      throw new LexFailure(`unsupported modifier (${modifier}) in substitution`);
    }

    const patternModifier = ch === '#' || ch === '%';
    if (nullIsUnset && patternModifier) {
      throw new LexFailure(`unsupported modifier (${modifier}) in substitution`);
    }
    // The word is expanded even when it ends up unused, as in BuildKit (so its variables count as referenced).
    let word: string;
    try {
      [word] = this.processStopOn('}', patternModifier);
    } catch (error) {
      if (this.peek() === undefined) throw new LexFailure("syntax error: missing '}'");
      throw error;
    }

    const [value, set] = this.getEnv(name);
    if (this.options.skipUnsetEnv && !set) return `\${${name}${modifier}${word}}`;
    const unset = !set || (nullIsUnset && value === '');

    switch (ch) {
      case '-':
        return unset ? word : value;
      case '+':
        return unset ? '' : word;
      case '?':
        if (!set) throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') {
          throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
        }
        return value;
      case '#':
      case '%': {
        // `##` / `%%` ask for the longest match, `#` / `%` for the shortest.
        const greedy = word.startsWith(ch);
        const pattern = greedy ? word.slice(1) : word;
        return ch === '%' ? trimSuffix(pattern, value, greedy) : trimPrefix(pattern, value, greedy);
      }
      default:
        throw new LexFailure(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}`. */
  private processReplace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    let pattern: string;
    try {
      [pattern] = this.processStopOn('/', true);
    } catch (error) {
      if (this.peek() === undefined) throw new LexFailure("syntax error: missing '/' in ${}");
      throw error;
    }
    let replacement: string;
    try {
      [replacement] = this.processStopOn('}', true);
    } catch (error) {
      if (this.peek() === undefined) throw new LexFailure("syntax error: missing '}'");
      throw error;
    }
    const [value, set] = this.getEnv(name);
    if (this.options.skipUnsetEnv && !set) return `\${${name}/${pattern}/${replacement}}`;
    return all ? replaceAll(pattern, value, replacement) : replaceFirst(pattern, value, replacement);
  }

  /** A variable name: letters/digits/_; or a run of digits (positional); or one special parameter. */
  private processName(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === '' && isGoDigit(ch)) {
        while (this.peek() !== undefined && isGoDigit(this.peek()!)) name += this.next()!;
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) {
        this.next();
        return ch;
      }
      if (!isGoLetter(ch) && !isGoDigit(ch) && ch !== '_') break;
      name += this.next()!;
    }
    return name;
  }

  private getEnv(name: string): [string, boolean] {
    const value = this.env.get(name);
    if (value !== undefined) {
      this.matched.add(name);
      return [value, true];
    }
    this.unmatched.add(name);
    return ['', false];
  }
}

/** POSIX special parameters: never set in a Dockerfile, so they expand to nothing. */
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
