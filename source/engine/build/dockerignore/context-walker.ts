/**
 * Walks a build context the way BuildKit's fsutil does with .dockerignore exclude patterns:
 * excluded entries are left out, an excluded directory is still entered when a `!` exception may
 * re-include something inside it (and is then reported just before the first entry it holds),
 * and symlinks are reported as links, never followed.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { goClean } from './go-path.js';
import { PatternMatcher, type MatchInfo, type Pattern } from './pattern-matcher.js';

export interface ContextEntry {
  /** Slash-separated path relative to the context root (never `.`). */
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  /** lstat of the entry. */
  readonly stat: Stats;
}

export interface WalkContextOptions {
  /** The Dockerfile's path inside the context (slash-separated), re-included if excluded. */
  readonly dockerfile?: string;
}

/**
 * The docker CLI's TrimBuildFilesFromExcludes: the daemon must still be able to read
 * `.dockerignore` and the Dockerfile, so exceptions are appended for them when excluded.
 */
export function withBuildFilesIncluded(patterns: readonly string[], dockerfile?: string): string[] {
  const result = [...patterns];
  const excluded = (file: string): boolean => {
    try {
      const matcher = new PatternMatcher(result);
      const cleaned = goClean(file);
      return cleaned !== '.' && matcher.matches(cleaned);
    } catch {
      return false; // a malformed pattern is reported when the real matcher is built
    }
  };
  if (excluded('.dockerignore')) result.push('!.dockerignore');
  if (dockerfile !== undefined) {
    const slashed = dockerfile.replaceAll(path.sep, '/');
    if (excluded(slashed)) result.push(`!${slashed}`);
  }
  return result;
}

/** fsutil's patternWithoutTrailingGlob. */
function withoutTrailingGlob(pattern: Pattern): string {
  let text = pattern.cleaned;
  if (text.endsWith('/**')) text = text.slice(0, -3);
  if (text.endsWith('/*')) text = text.slice(0, -2);
  return text;
}

interface VisitedDir {
  readonly entry: ContextEntry;
  readonly info: MatchInfo;
  emitted: boolean;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export async function* walkContext(
  dir: string,
  matcher: PatternMatcher,
  options: WalkContextOptions = {},
): AsyncGenerator<ContextEntry> {
  const effective = new PatternMatcher(withBuildFilesIncluded(matcher.patterns, options.dockerfile));
  const exceptions = effective.compiled.filter((p) => p.exclusion);
  // Only when every exception is a plain path can an excluded directory be skipped outright;
  // with a wildcard exception (`!**/keep`) anything below might come back.
  const onlyPrefixExceptions = exceptions.every((p) => !/[*[\]?^\\]/.test(withoutTrailingGlob(p)));

  const mayReinclude = (relDir: string): boolean => {
    if (!onlyPrefixExceptions) return true;
    const dirSlash = `${relDir}/`;
    return exceptions.some((p) => `${withoutTrailingGlob(p)}/`.startsWith(dirSlash));
  };

  async function* visit(absDir: string, relDir: string, parents: VisitedDir[]): AsyncGenerator<ContextEntry> {
    const names = (await readdir(absDir)).sort(byteOrder);
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(absDir, name);
      let stat: Stats;
      try {
        stat = await lstat(abs);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while walking
        throw error;
      }
      const kind = stat.isDirectory() ? 'dir' : stat.isSymbolicLink() ? 'symlink' : stat.isFile() ? 'file' : undefined;
      // Sockets, FIFOs and devices cannot be sent in a build context.
      if (kind === undefined) continue;
      const parentInfo = parents.length > 0 ? parents[parents.length - 1]!.info : undefined;
      const { matched, info } = effective.matchesUsingParentResults(rel, parentInfo);
      const entry: ContextEntry = { path: rel, kind, stat };
      if (matched) {
        if (kind === 'dir' && mayReinclude(rel)) {
          yield* visit(abs, rel, [...parents, { entry, info, emitted: false }]);
        }
        continue;
      }
      for (const parent of parents) {
        if (!parent.emitted) {
          parent.emitted = true;
          yield parent.entry;
        }
      }
      yield entry;
      if (kind === 'dir') yield* visit(abs, rel, [...parents, { entry, info, emitted: true }]);
    }
  }

  yield* visit(dir, '', []);
}
