/**
 * The shell patterns of `${v#p}`, `${v%p}` and `${v/p/r}`: `*` and `?` wildcards, `\*` `\?` `\\`
 * escapes, everything else literal (no bracket expressions, as in BuildKit). Patterns are
 * compiled to regular expressions that behave like Go's RE2 ones BuildKit uses: `.` there matches
 * anything but `\n`, so we spell it `[^\n]` (a JS `.` also refuses `\r`, U+2028 and U+2029).
 */

export class ShellPatternError extends Error {}

export interface CompiledShellPattern {
  /** The regexp source BuildKit would hand to Go's regexp.Compile (kept for conformance checks). */
  readonly goSource: string;
  /** An equivalent JavaScript regexp (flags `gu`, so callers can search from an offset). */
  readonly regex: RegExp;
}

const REGEX_META = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

export function convertShellPatternToRegex(
  pattern: string,
  greedy: boolean,
  anchored: boolean,
): CompiledShellPattern {
  const chars = Array.from(pattern);
  let go = anchored ? '^' : '';
  let js = go;
  const lazy = greedy ? '' : '?';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      go += `.*${lazy}`;
      js += `[^\\n]*${lazy}`;
    } else if (ch === '?') {
      go += '.';
      js += '[^\\n]';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      // `\}` and `\/` only protect the delimiter of `${…}`; the backslash is not part of the pattern.
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw new ShellPatternError(
          next === undefined ? "invalid escape '\\' at end of pattern" : `invalid escape '\\${next}'`,
        );
      }
      go += `\\${next}`;
      js += `\\${next}`;
      i++;
    } else if (REGEX_META.has(ch)) {
      go += `\\${ch}`;
      js += `\\${ch}`;
    } else {
      go += ch;
      js += ch;
    }
  }
  return { goSource: go, regex: new RegExp(js, 'gu') };
}

/** Reverses a pattern while keeping each `\x` escape in front of its character (`a\*c` → `c\*a`). */
export function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last; ) {
    const ch = chars[i]!;
    const at = last - i;
    if (ch === '\\' && i !== last) {
      out[at - 1] = ch;
      out[at] = chars[i + 1]!;
      i += 2;
    } else {
      out[at] = ch;
      i++;
    }
  }
  return out.join('');
}

function reverseString(text: string): string {
  return Array.from(text).reverse().join('');
}

function compile(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  try {
    return convertShellPatternToRegex(pattern, greedy, anchored).regex;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ShellPatternError(`invalid pattern (${pattern}) in substitution: ${reason}`);
  }
}

/** `${v#p}` (shortest) and `${v##p}` (longest): drop the matching prefix. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const re = compile(pattern, greedy, true);
  const match = re.exec(value);
  return match === null ? value : value.slice(match.index + match[0].length);
}

/**
 * `${v%p}` and `${v%%p}`: a regexp cannot find the shortest match that ends at the right edge, so,
 * as BuildKit does, reverse both the pattern and the value and trim a prefix instead.
 */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/** `${v/p/r}`: the first (leftmost, longest) match is replaced by the literal replacement. */
export function replaceFirst(pattern: string, value: string, replacement: string): string {
  const re = compile(pattern, true, false);
  const match = re.exec(value);
  if (match === null) return value;
  return value.slice(0, match.index) + replacement + value.slice(match.index + match[0].length);
}

/**
 * `${v//p/r}`: Go's Regexp.ReplaceAllString, including its two quirks that JS's replace lacks: an
 * empty match right after a previous match is not replaced (`.*` on `ab` gives one replacement,
 * not two), and the replacement is a template where `$0`/`${0}` is the match, `$$` a dollar and
 * any other `$name` expands to nothing (patterns have no capture groups).
 */
export function replaceAll(pattern: string, value: string, replacement: string): string {
  const re = compile(pattern, true, false);
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= value.length) {
    re.lastIndex = searchPos;
    const match = re.exec(value);
    if (match === null) break;
    const start = match.index;
    const end = start + match[0].length;
    out += value.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expandGoTemplate(replacement, match[0]);
    lastMatchEnd = end;
    const width = searchPos < value.length ? (value.codePointAt(searchPos)! > 0xffff ? 2 : 1) : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + value.slice(lastMatchEnd);
}

/** Go's Regexp.Expand for a regexp whose only group is the whole match. */
function expandGoTemplate(template: string, whole: string): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (ref === null) {
      // Malformed reference: Go keeps the `$` as text.
      out += '$';
      continue;
    }
    rest = rest.slice(ref[0].length);
    const name = ref[1] ?? ref[2]!;
    // Only group 0 exists; `$00` is not a number in Go (leading zero), so it names nothing.
    if (name === '0') out += whole;
  }
  return out + rest;
}
