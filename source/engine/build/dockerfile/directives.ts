/**
 * Parser directives (`# syntax=`, `# escape=`, `# check=`), as BuildKit reads them: only in the
 * block of `#key=value` lines at the very top; the first line that is not a known directive
 * (a blank line, another comment, an instruction, an unknown key) ends the block for good.
 */
import { LocalSyntaxError } from './errors.js';

export type DirectiveName = 'syntax' | 'escape' | 'check';

export interface Directive {
  name: DirectiveName;
  value: string;
  /** 1-based line of the directive. */
  line: number;
}

const knownDirectives = new Set<string>(['syntax', 'escape', 'check']);
const BOM = '\ufeff';

function isDirectiveName(name: string): name is DirectiveName {
  return knownDirectives.has(name);
}

/** Reads directive lines one at a time; `commentPrefix` is `#`, or `//` for DetectSyntax's fallback. */
export class DirectiveParser {
  private readonly pattern: RegExp;
  private readonly seen = new Set<string>();
  private lineNumber: number;
  done = false;

  constructor(commentPrefix = '#', startLine = 0) {
    // Go's RE2 `\s` is [\t\n\f\r ]; the value is the shortest run up to trailing whitespace.
    const prefix = commentPrefix.replace(/[/#]/g, (c) => '\\' + c);
    this.pattern = new RegExp(`^${prefix}[\\t\\n\\f\\r ]*([a-zA-Z][a-zA-Z0-9]*)[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*(.+?)[\\t\\n\\f\\r ]*$`, 's');
    this.lineNumber = startLine;
  }

  /** Returns the directive on this line, null when there is none; throws on a repeated directive. */
  parseLine(line: string): Directive | null {
    this.lineNumber++;
    if (this.done) return null;
    const match = this.pattern.exec(line);
    if (!match) {
      this.done = true;
      return null;
    }
    const name = (match[1] ?? '').toLowerCase();
    if (!isDirectiveName(name)) {
      this.done = true;
      return null;
    }
    if (this.seen.has(name)) throw new LocalSyntaxError(`only one ${name} parser directive can be used`);
    this.seen.add(name);
    return { name, value: match[2] ?? '', line: this.lineNumber };
  }

  /** All directives at the top of `text` (Go's DirectiveParser.ParseAll). */
  parseAll(text: string): Directive[] {
    const directives: Directive[] = [];
    for (const line of splitPlainLines(text)) {
      if (this.done) break;
      const directive = this.parseLine(line);
      if (directive) directives.push(directive);
    }
    return directives;
  }
}

/** bufio.ScanLines: split on \n, drop one trailing \r, no empty final token. */
function splitPlainLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

export function parseAllDirectives(text: string): Directive[] {
  return new DirectiveParser().parseAll(text);
}

export interface DetectedDirective {
  /** The value up to the first space (the frontend reference for `syntax`). */
  ref: string;
  /** The full value, e.g. `docker/dockerfile:1 // opts`. */
  cmdline: string;
  line: number;
}

/**
 * Finds the `syntax` directive the way BuildKit's DetectSyntax does: after an optional BOM and
 * `#!` line, as `# syntax=`, `// syntax=`, or a leading JSON object `{"syntax": "…"}`.
 */
export function detectSyntax(text: string): DetectedDirective | null {
  return findDirective('syntax', text, true);
}

/** One directive by name (`check`, `escape`, …); only the `#` comment form is accepted. */
export function findDirectiveValue(name: DirectiveName, text: string): DetectedDirective | null {
  return findDirective(name, text, false);
}

function findDirective(key: DirectiveName, text: string, anyFormat: boolean): DetectedDirective | null {
  let data = text.startsWith(BOM) ? text.slice(1) : text;
  let startLine = 0;
  const firstBreak = data.indexOf('\n');
  const firstLine = firstBreak < 0 ? data : data.slice(0, firstBreak);
  if (firstLine.startsWith('#!')) {
    data = firstBreak < 0 ? '' : data.slice(firstBreak + 1);
    startLine = 1;
  }
  const fromComments = (prefix: string): DetectedDirective | null => {
    let directives: Directive[];
    try {
      directives = new DirectiveParser(prefix, startLine).parseAll(data);
    } catch {
      return null;
    }
    const found = directives.find((directive) => directive.name === key);
    if (!found) return null;
    const space = found.value.indexOf(' ');
    return { ref: space < 0 ? found.value : found.value.slice(0, space), cmdline: found.value, line: found.line };
  };
  const hashed = fromComments('#');
  if (hashed || !anyFormat) return hashed;
  const slashed = fromComments('//');
  if (slashed) return slashed;
  try {
    const parsed: unknown = JSON.parse(data);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const value = (parsed as Record<string, unknown>)[key];
      if (typeof value === 'string') return { ref: value, cmdline: value, line: startLine };
    }
  } catch {
    // Not JSON either: there is no such directive.
  }
  return null;
}
