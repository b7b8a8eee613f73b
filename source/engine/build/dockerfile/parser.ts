/**
 * The Dockerfile parser: text in, AST out, no I/O. It follows BuildKit's
 * frontend/dockerfile/parser line for line where behaviour is observable: directives only at the
 * top, comments dropped, continuation lines joined verbatim (their indentation kept), empty
 * continuation lines skipped with a warning, heredoc bodies read after their instruction line.
 */
import type { Node, ParseWarning, ParsedDockerfile } from './ast.js';
import { DirectiveParser, type Directive } from './directives.js';
import { DockerfileSyntaxError, LocalSyntaxError } from './errors.js';
import { heredocsFromLine } from './heredoc.js';
import {
  parseHealthConfig,
  parseMaybeJson,
  parseMaybeJsonToList,
  parseNameOrNameVal,
  parseNameVal,
  parseString,
  parseStringsWhitespaceDelimited,
  trimLeftGoSpace,
  type ParsedArgs,
} from './line-parsers.js';
import { splitCommand } from './split-command.js';

export interface ParseOptions {
  /** Shown in error messages and warnings; `Dockerfile` by default. */
  file?: string;
}

/** bufio.Scanner's default limit, minus the newline. */
export const maxLineLength = 65535;

const heredocInstructions = new Set(['add', 'copy', 'run']);

type EscapeChar = '\\' | '`';

function continuationPattern(escape: EscapeChar): RegExp {
  const e = '\\' + escape;
  // The escape at the end of a line continues it, unless the escape is itself escaped.
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

function trimNewline(raw: string): string {
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === '\n' || raw[end - 1] === '\r')) end--;
  return raw.slice(0, end);
}

function isComment(raw: string): boolean {
  return trimLeftGoSpace(raw).startsWith('#');
}

/** Lines with their line endings kept, as BuildKit's scanLines splits them. */
function scanLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end < 0) {
      lines.push(text.slice(start));
      break;
    }
    lines.push(text.slice(start, end + 1));
    start = end + 1;
  }
  return lines;
}

function lineTooLong(raw: string): boolean {
  const content = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  return content.length * 3 > maxLineLength && Buffer.byteLength(content, 'utf8') > maxLineLength;
}

function dispatchArgs(name: string, rest: string, escape: EscapeChar): ParsedArgs {
  switch (name) {
    case 'add':
    case 'copy':
    case 'volume':
      return parseMaybeJsonToList(rest);
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell':
      return parseMaybeJson(rest);
    case 'arg':
      return parseNameOrNameVal(rest, escape);
    case 'env':
      return parseNameVal(rest, 'ENV', escape);
    case 'label':
      return parseNameVal(rest, 'LABEL', escape);
    case 'expose':
    case 'from':
      return parseStringsWhitespaceDelimited(rest);
    case 'healthcheck':
      return parseHealthConfig(rest);
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      return parseString(rest);
    default:
      // BuildKit's parser keeps unknown instructions (with one empty argument); the instruction
      // layer rejects them.
      return { args: [''], json: false };
  }
}

/** One logical line to a node (recursing once for an ONBUILD trigger). */
export function nodeFromLine(line: string, escape: EscapeChar, comments: string[] = []): Node {
  const { keyword, flags, rest } = splitCommand(line);
  const name = keyword.toLowerCase();
  const node: Node = {
    keyword,
    name,
    flags,
    args: [],
    json: false,
    heredocs: [],
    original: line,
    startLine: 0,
    endLine: 0,
    comments,
  };
  if (name === 'onbuild') {
    if (rest !== '') node.child = nodeFromLine(rest, escape);
    return node;
  }
  const parsed = dispatchArgs(name, rest, escape);
  node.args = parsed.args;
  node.json = parsed.json;
  return node;
}

function canContainHeredoc(node: Node): boolean {
  const target = node.name === 'onbuild' && node.child ? node.child : node;
  return heredocInstructions.has(target.name) && !target.json;
}

/** Parses a Dockerfile. Throws DockerfileSyntaxError (with the file and line) on what BuildKit's parser rejects. */
export function parseDockerfile(text: string, options: ParseOptions = {}): ParsedDockerfile {
  const file = options.file ?? 'Dockerfile';
  const fail = (line: number, detail: string, endLine = line): never => {
    throw new DockerfileSyntaxError(file, Math.max(line, 1), detail, Math.max(endLine, line, 1));
  };
  const located = <T>(line: number, endLine: number, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof LocalSyntaxError) return fail(line, error.message, endLine);
      throw error;
    }
  };

  const lines = scanLines(text);
  const directiveParser = new DirectiveParser();
  const directives: Directive[] = [];
  let escape: EscapeChar = '\\';
  let continuation = continuationPattern(escape);
  const children: Node[] = [];
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];
  let current = 0;
  let index = 0;

  // trimNewline, optionally trim leading whitespace, look for a directive, blank out comments.
  const processLine = (raw: string, stripLeft: boolean): string => {
    if (lineTooLong(raw)) fail(current + 1, `dockerfile line greater than max allowed size of ${maxLineLength}`);
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeftGoSpace(token);
    const directive = located(current + 1, current + 1, () => directiveParser.parseLine(token));
    if (directive) {
      directives.push(directive);
      if (directive.name === 'escape') {
        if (directive.value !== '`' && directive.value !== '\\') {
          fail(current + 1, `invalid escape token '${directive.value}' does not match \` or \\`);
        }
        escape = directive.value as EscapeChar;
        continuation = continuationPattern(escape);
      }
    }
    return isComment(token) ? '' : token;
  };
  const trimContinuation = (line: string): [string, boolean] => {
    if (continuation.test(line)) return [line.replace(continuation, '$1'), false];
    return [line, true];
  };

  while (index < lines.length) {
    let raw = lines[index++] ?? '';
    if (current === 0 && raw.startsWith('\ufeff')) raw = raw.slice(1);
    if (isComment(raw)) {
      const comment = trimLeftGoSpace(raw).slice(1).trim();
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    const first = processLine(raw, true);
    current++;
    const startLine = current;
    let [line, isEndOfLine] = trimContinuation(first);
    if (isEndOfLine && line === '') continue;

    let hasEmptyContinuationLine = false;
    while (!isEndOfLine && index < lines.length) {
      const next = lines[index++] ?? '';
      const processed = processLine(next, false);
      current++;
      if (isComment(next)) continue;
      if (trimLeftGoSpace(processed) === '') {
        hasEmptyContinuationLine = true;
        continue;
      }
      const [joined, end] = trimContinuation(processed);
      line += joined;
      isEndOfLine = end;
    }
    if (hasEmptyContinuationLine) {
      warnings.push({
        rule: 'NoEmptyContinuation',
        short: `Empty continuation line found in: ${line}`,
        detail: ['Empty continuation lines will become errors in a future release'],
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        line: current,
      });
    }

    const node = located(startLine, current, () => nodeFromLine(line, escape, comments));
    if (canContainHeredoc(node) && line.includes('<<')) {
      const heredocs = located(startLine, current, () => heredocsFromLine(line));
      for (const heredoc of heredocs) {
        let terminated = false;
        while (index < lines.length) {
          const body = lines[index++] ?? '';
          current++;
          let candidate = trimNewline(body);
          if (heredoc.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === heredoc.name) {
            terminated = true;
            break;
          }
          heredoc.content += body;
        }
        if (!terminated) fail(startLine, 'unterminated heredoc', current);
        node.heredocs.push(heredoc);
      }
    }
    node.startLine = startLine;
    node.endLine = current;
    children.push(node);
    comments = [];
  }

  if (children.length === 0) fail(current, 'file with no instructions');
  return {
    file,
    directives,
    escapeChar: escape,
    children,
    warnings,
    startLine: children[0]?.startLine ?? 0,
    endLine: children[children.length - 1]?.endLine ?? 0,
  };
}
