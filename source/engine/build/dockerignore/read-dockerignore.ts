/**
 * Reading .dockerignore files the way moby/patternmatcher's ignorefile.ReadAll does, and finding
 * which file applies to a build (BuildKit prefers `<Dockerfile>.dockerignore`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { goTrimSpace } from '../shell/index.js';
import { goClean } from './go-path.js';

/**
 * Turns the text of a .dockerignore into patterns: a UTF-8 BOM is dropped, a line whose first
 * character is `#` is a comment, lines are trimmed, empty lines skipped, and each pattern is
 * cleaned with one leading `/` removed (`/foo` ≡ `foo`, `docs/` ≡ `docs`), keeping a `!` prefix.
 */
export function readDockerignore(text: string | Uint8Array): string[] {
  const content =
    typeof text === 'string' ? text : new TextDecoder('utf-8', { ignoreBOM: true }).decode(text);
  if (content === '') return [];
  const lines = content.split('\n');
  // bufio.ScanLines: a final newline does not start another line, and a trailing \r is dropped.
  if (lines[lines.length - 1] === '') lines.pop();
  const patterns: string[] = [];
  lines.forEach((rawLine, index) => {
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (index === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    if (line.startsWith('#')) return;
    let pattern = goTrimSpace(line);
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = goTrimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  });
  return patterns;
}

export interface IgnoreFile {
  /** The file the patterns came from, or undefined when there is none. */
  readonly path: string | undefined;
  readonly patterns: string[];
}

async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * The ignore rules for a build. With a Dockerfile path (absolute, or relative to the context),
 * `<that path>.dockerignore` wins when it exists and is not empty (BuildKit, moby/buildkit#1543
 * and #2765); otherwise the context's own `.dockerignore` applies; otherwise nothing is ignored.
 * Pass no Dockerfile path when the Dockerfile came from stdin.
 */
export async function loadIgnoreFile(contextDir: string, dockerfilePath?: string): Promise<IgnoreFile> {
  if (dockerfilePath !== undefined && dockerfilePath !== '') {
    const specific = `${path.resolve(contextDir, dockerfilePath)}.dockerignore`;
    const content = await readIfPresent(specific);
    if (content !== undefined && content.length > 0) {
      return { path: specific, patterns: readDockerignore(content) };
    }
  }
  const general = path.join(contextDir, '.dockerignore');
  const content = await readIfPresent(general);
  if (content === undefined) return { path: undefined, patterns: [] };
  return { path: general, patterns: readDockerignore(content) };
}
