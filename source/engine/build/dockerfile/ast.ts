/**
 * The parser's output: one node per logical instruction line, like BuildKit's parser.Node but
 * flattened (an argument list instead of a linked list). Nothing is expanded or validated here
 * beyond what BuildKit's parser itself rejects; the instruction layer does the rest.
 */
import { goQuote, goQuoteList } from '../../util/go-quote.js';
import type { Heredoc } from './heredoc.js';
import type { Directive } from './directives.js';

export interface Node {
  /** The keyword as written (`RUN`, `copy`, `Foo`). */
  keyword: string;
  /** The keyword lowercased, for dispatch. */
  name: string;
  /** `--flag[=value]` words before the arguments, verbatim (quotes removed), without a bare `--`. */
  flags: string[];
  /**
   * The arguments as the parser split them (see the conformance README): exec form elements,
   * one shell-form string, ENV/LABEL `key value sep` triples, whitespace-split words…
   * Empty for ONBUILD, whose trigger is `child`.
   */
  args: string[];
  /** The parsed trigger of an ONBUILD. */
  child?: Node;
  /** The arguments were a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  /** The logical line after joining continuations and dropping comment lines. */
  original: string;
  /** 1-based first and last physical line (heredoc bodies included). */
  startLine: number;
  endLine: number;
  /** Comment lines directly above the instruction, `#` and surrounding spaces removed. */
  comments: string[];
}

export interface ParseWarning {
  /** Lint rule name, as BuildKit reports it. */
  rule: string;
  short: string;
  detail: string[];
  url: string;
  line: number;
}

export interface ParsedDockerfile {
  file: string;
  directives: Directive[];
  /** `\` unless a `# escape=` directive chose the backtick. */
  escapeChar: '\\' | '`';
  children: Node[];
  warnings: ParseWarning[];
  /** Lines spanned by the instructions (first instruction's start to last one's end). */
  startLine: number;
  endLine: number;
}

/** BuildKit's Node.Dump for one instruction, without the surrounding parentheses. */
export function dumpNode(node: Node): string {
  let out = node.name;
  if (node.flags.length > 0) out += ' ' + goQuoteList(node.flags);
  if (node.child) out += ' (' + dumpNode(node.child) + ')';
  for (const arg of node.args) out += ' ' + goQuote(arg);
  return out;
}

/** The whole AST in BuildKit's dump format: one `(instr args…)` line per instruction, no final newline. */
export function dumpAst(children: readonly Node[]): string {
  return children.map((child) => '(' + dumpNode(child) + ')').join('\n');
}
