/**
 * Go's path/filepath.Match on Unix. moby/patternmatcher calls it only to reject malformed
 * patterns (`[`, `[]a]`, `[x-]`, a dangling `\`), so its exact error rules decide which
 * .dockerignore files docker refuses. Works on code points as Go works on runes.
 */
export class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

interface Chunk {
  star: boolean;
  chunk: string[];
  rest: string[];
}

function scanChunk(pattern: string[]): Chunk {
  let start = 0;
  let star = false;
  while (start < pattern.length && pattern[start] === '*') {
    start++;
    star = true;
  }
  let inRange = false;
  let i = start;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

function getEsc(chunk: string[], at: number): [string, number] {
  let i = at;
  if (i >= chunk.length || chunk[i] === '-' || chunk[i] === ']') throw new BadPatternError();
  if (chunk[i] === '\\') {
    i++;
    if (i >= chunk.length) throw new BadPatternError();
  }
  const r = chunk[i]!;
  i++;
  if (i >= chunk.length) throw new BadPatternError();
  return [r, i];
}

/** Returns the rest of `s` after the chunk matched, or undefined; throws on a malformed chunk. */
function matchChunk(chunk: string[], s: string[]): string[] | undefined {
  // After a mismatch Go keeps scanning the chunk so that syntax errors are still reported.
  let failed = false;
  let si = 0;
  let ci = 0;
  while (ci < chunk.length) {
    if (!failed && si >= s.length) failed = true;
    const c = chunk[ci]!;
    if (c === '[') {
      let r = '';
      if (!failed) r = s[si++]!;
      ci++;
      let negated = false;
      if (ci < chunk.length && chunk[ci] === '^') {
        negated = true;
        ci++;
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (ci < chunk.length && chunk[ci] === ']' && nrange > 0) {
          ci++;
          break;
        }
        let lo: string;
        [lo, ci] = getEsc(chunk, ci);
        let hi = lo;
        if (chunk[ci] === '-') [hi, ci] = getEsc(chunk, ci + 1);
        if (!failed && lo.codePointAt(0)! <= r.codePointAt(0)! && r.codePointAt(0)! <= hi.codePointAt(0)!) {
          match = true;
        }
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[si] === '/') failed = true;
        si++;
      }
      ci++;
    } else {
      if (c === '\\') {
        ci++;
        if (ci >= chunk.length) throw new BadPatternError();
      }
      if (!failed) {
        if (chunk[ci] !== s[si]) failed = true;
        si++;
      }
      ci++;
    }
  }
  return failed ? undefined : s.slice(si);
}

/** filepath.Match(pattern, name): whether name matches; throws BadPatternError if malformed. */
export function goPathMatch(pattern: string, name: string): boolean {
  let pat = Array.from(pattern);
  let rest = Array.from(name);
  outer: while (pat.length > 0) {
    const { star, chunk, rest: after } = scanChunk(pat);
    pat = after;
    if (star && chunk.length === 0) return !rest.includes('/');
    const t = matchChunk(chunk, rest);
    if (t !== undefined && (t.length === 0 || pat.length > 0)) {
      rest = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < rest.length && rest[i] !== '/'; i++) {
        const u = matchChunk(chunk, rest.slice(i + 1));
        if (u !== undefined) {
          if (pat.length === 0 && u.length > 0) continue;
          rest = u;
          continue outer;
        }
      }
    }
    // Before answering false, make sure the rest of the pattern is well formed.
    while (pat.length > 0) {
      const next = scanChunk(pat);
      pat = next.rest;
      matchChunk(next.chunk, []);
    }
    return false;
  }
  return rest.length === 0;
}
