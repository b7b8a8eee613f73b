/**
 * The instruction layer: the parser's AST → typed instructions grouped into stages by FROM, with
 * ARGs before the first FROM kept apart as meta args (BuildKit's instructions.Parse).
 */
import type { Node, ParsedDockerfile } from './ast.js';
import { DockerfileSyntaxError, LocalSyntaxError } from './errors.js';
import { parseInstruction } from './instruction-parsers.js';
import type { ArgInstruction, DockerfileInstructions, Instruction, RunInstruction, Stage } from './instruction-types.js';
import { parseDockerfile, type ParseOptions } from './parser.js';
import { parseRunMount, type RunMount } from './run-mount.js';

export interface InstructionProblem {
  line: number;
  endLine: number;
  message: string;
}

function toProblem(node: Node, error: unknown): InstructionProblem {
  if (error instanceof LocalSyntaxError) return { line: node.startLine, endLine: node.endLine, message: error.message };
  throw error;
}

/**
 * Converts every node, collecting problems instead of stopping at the first: the shared core of
 * parseInstructions (which throws the first) and checkDockerfile (which lists them all).
 */
export function collectInstructions(children: readonly Node[]): {
  result: DockerfileInstructions;
  problems: InstructionProblem[];
} {
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const problems: InstructionProblem[] = [];
  // After a FROM that failed to parse, its instructions are still checked but belong nowhere.
  let inBrokenStage = false;
  for (const node of children) {
    let instruction: Instruction;
    try {
      instruction = parseInstruction(node);
    } catch (error) {
      problems.push(toProblem(node, error));
      if (node.name === 'from') inBrokenStage = true;
      continue;
    }
    if (instruction.kind === 'FROM') {
      const stage: Stage = { index: stages.length, from: instruction, instructions: [] };
      if (instruction.stageName !== undefined) stage.name = instruction.stageName;
      stages.push(stage);
      inBrokenStage = false;
      continue;
    }
    const current = stages[stages.length - 1];
    if (inBrokenStage) continue;
    if (current) current.instructions.push(instruction);
    else if (instruction.kind === 'ARG') metaArgs.push(instruction);
    else problems.push({ line: node.startLine, endLine: node.endLine, message: 'no build stage in current context' });
  }
  return { result: { metaArgs, stages }, problems };
}

/**
 * Typed instructions from a parsed Dockerfile. Throws a DockerfileSyntaxError for the first
 * invalid instruction (`Dockerfile:7: unknown instruction: COPPY`).
 */
export function parseInstructions(ast: ParsedDockerfile): DockerfileInstructions {
  const { result, problems } = collectInstructions(ast.children);
  const first = problems[0];
  if (first) throw new DockerfileSyntaxError(ast.file, first.line, first.message, first.endLine);
  return result;
}

/** parseDockerfile then parseInstructions. */
export function parseDockerfileInstructions(text: string, options: ParseOptions = {}): DockerfileInstructions & { ast: ParsedDockerfile } {
  const ast = parseDockerfile(text, options);
  return { ast, ...parseInstructions(ast) };
}

/** One node to its instruction, with the error located (for callers converting ONBUILD triggers etc.). */
export function parseNodeInstruction(node: Node, file = 'Dockerfile'): Instruction {
  try {
    return parseInstruction(node);
  } catch (error) {
    if (error instanceof LocalSyntaxError) throw new DockerfileSyntaxError(file, node.startLine, error.message, node.endLine);
    throw error;
  }
}

/**
 * The RUN's mounts re-parsed once the builder has expanded their values (BuildKit validates
 * `$`-holding values only then); a bad value is reported at the RUN's line.
 */
export function expandRunMounts(
  run: Pick<RunInstruction, 'mountSpecs' | 'line' | 'endLine'>,
  expand: (word: string) => string,
  file = 'Dockerfile',
): RunMount[] {
  try {
    return run.mountSpecs.map((spec) => parseRunMount(spec, expand));
  } catch (error) {
    if (error instanceof LocalSyntaxError) throw new DockerfileSyntaxError(file, run.line, error.message, run.endLine);
    throw error;
  }
}
