/**
 * Compiles the regexps moby/patternmatcher builds from .dockerignore patterns with Go's RE2
 * semantics. The pattern text reaches the regexp nearly verbatim (`[...]` classes and `\x`
 * escapes pass through), so `\d`, `[[:alpha:]]`, `\pL` or a lone `]` mean what Go makes of them;
 * JS syntax differs on each, hence this translation instead of `new RegExp(goSource)`.
 * Throws GoRegexpError where Go's regexp.Compile fails (e.g. a reversed range `[l-O]`).
 */
export class GoRegexpError extends Error {}

type Range = [number, number];
const MAX_RUNE = 0x10ffff;

const POSIX: Readonly<Record<string, Range[]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** Go's Perl classes are ASCII-only. */
const PERL: Readonly<Record<string, Range[]>> = {
  d: POSIX.digit!,
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: POSIX.word!,
};

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

const hex = (cp: number): string => `\\u{${cp.toString(16)}}`;
const rangesSource = (ranges: Range[]): string =>
  ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');

const isAlnum = (ch: string): boolean => /^[0-9A-Za-z]$/.test(ch);
const isOctal = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '7';

class Translator {
  private i = 0;
  constructor(private readonly chars: string[]) {}

  translate(): string {
    let out = '';
    const chars = this.chars;
    while (this.i < chars.length) {
      const c = chars[this.i]!;
      if (c === '\\') out += this.escapeOutsideClass();
      else if (c === '[') out += this.charClass();
      else {
        this.i++;
        if (c === '.') out += '[^\\n]';
        else if (c === '(') {
          if (chars[this.i] === '?') throw new GoRegexpError('unsupported group syntax');
          out += '(?:';
        } else if (')|*+?^$'.includes(c)) out += c;
        else if (c === '{') {
          const repeat = /^\d+(?:,\d*)?\}/.exec(chars.slice(this.i, this.i + 24).join(''));
          if (repeat === null) out += '\\{';
          else {
            out += `{${repeat[0]}`;
            this.i += repeat[0].length;
          }
        } else out += hex(c.codePointAt(0)!);
      }
    }
    return out;
  }

  /** A `\…` sequence outside brackets. */
  private escapeOutsideClass(): string {
    const c = this.chars[this.i + 1];
    if (c === 'b' || c === 'B') {
      this.i += 2;
      return `\\${c}`;
    }
    if (c === 'A' || c === 'z') {
      this.i += 2;
      return c === 'A' ? '^' : '$';
    }
    if (c === 'Q') {
      this.i += 2;
      let out = '';
      while (this.i < this.chars.length) {
        if (this.chars[this.i] === '\\' && this.chars[this.i + 1] === 'E') {
          this.i += 2;
          break;
        }
        out += hex(this.chars[this.i++]!.codePointAt(0)!);
      }
      return out;
    }
    const cls = this.classEscape();
    if (cls !== undefined) return cls.startsWith('\\p') || cls.startsWith('\\P') ? cls : `[${cls}]`;
    return hex(this.escapedRune());
  }

  /** `\d \s \w` (and negations) or `\p…` at the cursor, as the inside of a JS class; else undefined. */
  private classEscape(): string | undefined {
    const c = this.chars[this.i + 1];
    if (c === undefined) return undefined;
    const perl = PERL[c.toLowerCase()];
    if (perl !== undefined && 'dswDSW'.includes(c)) {
      this.i += 2;
      return rangesSource(c === c.toLowerCase() ? perl : complement(perl));
    }
    if (c !== 'p' && c !== 'P') return undefined;
    this.i += 2;
    let name: string;
    if (this.chars[this.i] === '{') {
      const end = this.chars.indexOf('}', this.i);
      if (end < 0) throw new GoRegexpError('invalid character class range');
      name = this.chars.slice(this.i + 1, end).join('');
      this.i = end + 1;
    } else {
      const single = this.chars[this.i++];
      if (single === undefined) throw new GoRegexpError('invalid character class range');
      name = single;
    }
    let negated = c === 'P';
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const property = name === 'Any' || /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${property}}`;
  }

  /** A single escaped character (`\.`, `\n`, `\x41`, `\x{263a}`, `\012`) at the cursor. */
  private escapedRune(): number {
    const chars = this.chars;
    const c = chars[this.i + 1];
    if (c === undefined) throw new GoRegexpError('trailing backslash at end of expression');
    this.i += 2;
    if (c >= '1' && c <= '7' && !isOctal(chars[this.i])) {
      throw new GoRegexpError(`invalid escape sequence: \\${c}`);
    }
    if (isOctal(c)) {
      let digits = c;
      for (let n = 0; n < 2 && isOctal(chars[this.i]); n++) digits += chars[this.i++];
      return parseInt(digits, 8);
    }
    if (c.codePointAt(0)! < 0x80 && !isAlnum(c)) return c.codePointAt(0)!;
    if (c === 'x') {
      // `\xHH` takes exactly two hex digits, `\x{H…}` one or more.
      let digits: string;
      if (chars[this.i] === '{') {
        const end = chars.indexOf('}', this.i);
        if (end < 0) throw new GoRegexpError('invalid escape sequence: \\x{');
        digits = chars.slice(this.i + 1, end).join('');
        this.i = end + 1;
      } else {
        digits = chars.slice(this.i, this.i + 2).join('');
        this.i += 2;
        if (digits.length !== 2) throw new GoRegexpError(`invalid escape sequence: \\x${digits}`);
      }
      const value = /^[0-9A-Fa-f]+$/.test(digits) ? parseInt(digits, 16) : NaN;
      if (!(value <= MAX_RUNE)) throw new GoRegexpError(`invalid escape sequence: \\x${digits}`);
      return value;
    }
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return simple;
    throw new GoRegexpError(`invalid escape sequence: \\${c}`);
  }

  /** A bracket expression `[...]` with Go's rules: `]` first is literal, `-` last is literal. */
  private charClass(): string {
    const chars = this.chars;
    this.i++;
    let negated = false;
    if (chars[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let body = '';
    let first = true;
    while (this.i >= chars.length || chars[this.i] !== ']' || first) {
      first = false;
      if (this.i >= chars.length) throw new GoRegexpError('missing closing ]');
      if (chars[this.i] === '[' && chars[this.i + 1] === ':') {
        const rest = chars.slice(this.i + 2).join('');
        const end = rest.indexOf(':]');
        if (end >= 0) {
          let name = rest.slice(0, end);
          const negatedPosix = name.startsWith('^');
          if (negatedPosix) name = name.slice(1);
          const ranges = POSIX[name];
          if (ranges === undefined) throw new GoRegexpError(`invalid character class range: [:${name}:]`);
          body += rangesSource(negatedPosix ? complement(ranges) : ranges);
          this.i += 2 + Array.from(rest.slice(0, end)).length + 2;
          continue;
        }
      }
      if (chars[this.i] === '\\') {
        const cls = this.classEscape();
        if (cls !== undefined) {
          body += cls;
          continue;
        }
      }
      const lo = this.classChar();
      let hi = lo;
      if (chars[this.i] === '-' && this.i + 1 < chars.length && chars[this.i + 1] !== ']') {
        this.i++;
        hi = this.classChar();
        if (hi < lo) throw new GoRegexpError('invalid character class range');
      }
      body += rangesSource([[lo, hi]]);
    }
    this.i++;
    return `[${negated ? '^' : ''}${body}]`;
  }

  private classChar(): number {
    const c = this.chars[this.i];
    if (c === undefined) throw new GoRegexpError('missing closing ]');
    if (c === '\\') return this.escapedRune();
    this.i++;
    return c.codePointAt(0)!;
  }
}

/** Compiles a Go regexp (the subset patternmatcher can produce) to an equivalent JS RegExp. */
export function compileGoRegexp(source: string): RegExp {
  const js = new Translator(Array.from(source)).translate();
  try {
    return new RegExp(js, 'u');
  } catch (error) {
    throw new GoRegexpError(error instanceof Error ? error.message : String(error));
  }
}
