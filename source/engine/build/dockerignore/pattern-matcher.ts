/**
 * .dockerignore matching with moby/patternmatcher's semantics: patterns are anchored at the
 * context root, `*` and `?` stay within one path element, `**` spans elements, a leading `!` makes
 * an exception, the last matching pattern wins, and a path is excluded when it or one of its
 * parent directories matches.
 */
import { goTrimSpace } from '../shell/index.js';
import { DockerignorePatternError } from './dockerignore-errors.js';
import { goClean, goDir } from './go-path.js';
import { BadPatternError, goPathMatch } from './go-path-match.js';
import { compileGoRegexp } from './go-regexp.js';

type Matcher =
  | { readonly kind: 'exact' }
  | { readonly kind: 'prefix' }
  | { readonly kind: 'suffix' }
  | { readonly kind: 'regexp'; readonly regex: RegExp }
  | { readonly kind: 'invalid'; readonly reason: string };

const ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** One cleaned pattern. Its matcher is built on first use, like patternmatcher's lazy compile. */
export class Pattern {
  readonly dirs: readonly string[];
  private matcher: Matcher | undefined;

  constructor(
    /** The pattern after TrimSpace, Clean and without its `!`. */
    readonly cleaned: string,
    readonly exclusion: boolean,
  ) {
    this.dirs = cleaned.split('/');
  }

  match(path: string): boolean {
    const matcher = (this.matcher ??= compile(this.cleaned));
    switch (matcher.kind) {
      case 'exact':
        return path === this.cleaned;
      case 'prefix':
        return path.startsWith(this.cleaned.slice(0, -2));
      case 'suffix': {
        const suffix = this.cleaned.slice(2);
        // `**/foo` also matches `foo` itself.
        return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
      }
      case 'regexp':
        return matcher.regex.test(path);
      case 'invalid':
        // Reported on every call, as moby/moby#52203 requires, never just the first.
        throw new DockerignorePatternError(this.source(), `syntax error in pattern (${matcher.reason})`);
    }
  }

  source(): string {
    return this.exclusion ? `!${this.cleaned}` : this.cleaned;
  }
}

/** patternmatcher's compile: exact, prefix (`dir/**`), suffix (leading `**`) or a regexp. */
function compile(pattern: string): Matcher {
  const chars = Array.from(pattern);
  let source = '^';
  let kind: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  let pos = 0;
  for (let i = 0; pos < chars.length; i++) {
    const ch = chars[pos++]!;
    if (ch === '*') {
      if (chars[pos] === '*') {
        pos++;
        if (chars[pos] === '/') pos++; // `**/` is treated as `**`
        if (pos >= chars.length) {
          if (kind === 'exact') kind = 'prefix';
          else {
            source += '.*';
            kind = 'regexp';
          }
        } else {
          source += '(.*/)?';
          kind = 'regexp';
        }
        if (i === 0) kind = 'suffix';
      } else {
        source += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      source += '[^/]';
      kind = 'regexp';
    } else if (ESCAPED.has(ch)) {
      source += `\\${ch}`;
    } else if (ch === '\\') {
      if (pos < chars.length) {
        source += `\\${chars[pos++]!}`;
        kind = 'regexp';
      } else {
        source += '\\';
      }
    } else if (ch === '[' || ch === ']') {
      source += ch;
      kind = 'regexp';
    } else {
      source += ch;
    }
  }
  if (kind !== 'regexp') return { kind };
  try {
    return { kind, regex: compileGoRegexp(`${source}$`) };
  } catch (error) {
    return { kind: 'invalid', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Per-pattern results for a directory, handed to its children (fsutil's walk optimisation). */
export interface MatchInfo {
  readonly parentMatched: readonly boolean[];
}

export class PatternMatcher {
  /** The patterns as given to the constructor. */
  readonly patterns: readonly string[];
  readonly compiled: readonly Pattern[];
  /** Whether any pattern is a `!` exception. */
  readonly hasExclusions: boolean;

  constructor(patterns: readonly string[]) {
    this.patterns = [...patterns];
    const compiled: Pattern[] = [];
    for (const raw of patterns) {
      let p = goTrimSpace(raw);
      if (p === '') continue;
      p = goClean(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new DockerignorePatternError(raw, 'illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      try {
        goPathMatch(p, '.');
      } catch (error) {
        if (error instanceof BadPatternError) throw new DockerignorePatternError(raw, error.message);
        throw error;
      }
      compiled.push(new Pattern(p, exclusion));
    }
    this.compiled = compiled;
    this.hasExclusions = compiled.some((p) => p.exclusion);
  }

  /**
   * Whether `path` (slash-separated, relative to the context) is excluded: it or one of its parent
   * directories matches, and no later exception re-includes it. This is what builds use.
   */
  matchesOrParentMatches(path: string): boolean {
    let matched = false;
    const parent = goDir(path);
    const parentDirs = parent.split('/');
    for (const pattern of this.compiled) {
      // An inclusion only matters while unmatched, an exception only while matched.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(path);
      if (!match && parent !== '.') {
        for (let i = 0; i < parentDirs.length && !match; i++) {
          match = pattern.match(parentDirs.slice(0, i + 1).join('/'));
        }
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * patternmatcher's deprecated Matches: it checks only the one parent prefix as deep as the
   * pattern. The docker CLI still uses it to decide whether to re-include the Dockerfile.
   */
  matches(path: string): boolean {
    let matched = false;
    const parent = goDir(path);
    const parentDirs = parent.split('/');
    for (const pattern of this.compiled) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(path);
      if (!match && parent !== '.' && pattern.dirs.length <= parentDirs.length) {
        match = pattern.match(parentDirs.slice(0, pattern.dirs.length).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * MatchesUsingParentResults, as fsutil's walker calls it: a pattern that matched the parent
   * directory counts as matched without re-testing; without parent info it behaves like
   * matchesOrParentMatches.
   */
  matchesUsingParentResults(path: string, parentInfo?: MatchInfo): { matched: boolean; info: MatchInfo } {
    const parentMatched = parentInfo?.parentMatched ?? [];
    const info: boolean[] = new Array<boolean>(this.compiled.length).fill(false);
    let matched = false;
    this.compiled.forEach((pattern, index) => {
      let match = parentMatched.length !== 0 ? parentMatched[index]! : false;
      if (!match) {
        if (pattern.exclusion !== matched) return;
        match = pattern.match(path);
        if (!match && parentMatched.length === 0) {
          const parent = goDir(path);
          if (parent !== '.') {
            const dirs = parent.split('/');
            for (let i = 0; i < dirs.length && !match; i++) match = pattern.match(dirs.slice(0, i + 1).join('/'));
          }
        }
      }
      info[index] = match;
      if (match) matched = !pattern.exclusion;
    });
    return { matched, info: { parentMatched: info } };
  }
}

/**
 * patternmatcher's package-level Matches(file, patterns): the path is cleaned and the context
 * root itself (`.`) is never excluded; matching uses the legacy algorithm of `matches`.
 */
export function matchesPatterns(path: string, patterns: readonly string[]): boolean {
  const matcher = new PatternMatcher(patterns);
  const cleaned = goClean(path);
  if (cleaned === '.') return false;
  return matcher.matches(cleaned);
}
