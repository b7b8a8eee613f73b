/** The Dockerfile front end: parser (text → AST), instruction layer (AST → typed stages), checks. */
export { dumpAst, dumpNode } from './ast.js';
export type { Node, ParseWarning, ParsedDockerfile } from './ast.js';
export { parseDockerfile, maxLineLength } from './parser.js';
export type { ParseOptions } from './parser.js';
export { detectSyntax, findDirectiveValue, parseAllDirectives } from './directives.js';
export type { DetectedDirective, Directive, DirectiveName } from './directives.js';
export { chompHeredocContent, heredocsFromLine, parseHeredocWord } from './heredoc.js';
export type { Heredoc } from './heredoc.js';
export { parseWords } from './line-parsers.js';
export { DockerfileSyntaxError } from './errors.js';
export { expandRunMounts, parseInstructions, parseDockerfileInstructions, parseNodeInstruction } from './instructions.js';
export { instructionNames } from './instruction-parsers.js';
export type * from './instruction-types.js';
export type { CacheSharing, MountType, RunMount } from './run-mount.js';
export { parseGoDuration } from './go-duration.js';
export { checkDockerfile, parseCheckDirective } from './check.js';
export type { CheckResult, DockerfileProblem } from './check.js';
export { goQuote, goQuoteList } from '../../util/go-quote.js';
