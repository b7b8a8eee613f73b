/**
 * The planner: Dockerfile text → the stages to build, in order. Meta ARGs are resolved for FROM
 * lines, each stage's base is classified (scratch, an earlier stage, or an image), and with a
 * target only the stages it depends on (through FROM or COPY --from) are kept, as BuildKit does.
 */
import {
  parseDockerfile,
  parseInstructions,
  type ParsedDockerfile,
  type Stage,
} from './dockerfile/index.js';
import { processWord, ShellExpansionError, type ShellOptions } from './shell/index.js';
import { ArgScope, type BuildArgUsage } from './build-args.js';
import { locatedBuildError } from './build-errors.js';

export type StageBase = { kind: 'scratch' } | { kind: 'stage'; index: number } | { kind: 'image'; ref: string };

export interface PlannedStage {
  stage: Stage;
  base: StageBase;
}

export interface BuildPlan {
  file: string;
  ast: ParsedDockerfile;
  shellOptions: ShellOptions;
  /** Effective values of the meta args (defaults overridden by --build-arg). */
  metaArgs: Map<string, string>;
  /** Every stage of the Dockerfile, by index. */
  stages: PlannedStage[];
  /** Indices of the stages to build, in Dockerfile order; the last one is the target. */
  order: number[];
  /** Steps shown as `Step i/total`: the FROM and instructions of every stage built. */
  totalSteps: number;
}

/** Expands a word, turning lexer errors into located build errors. */
export function expandWord(
  word: string,
  env: readonly string[] | ReadonlyMap<string, string>,
  options: ShellOptions,
  file: string,
  line: number,
): string {
  try {
    return processWord(word, env, options).result;
  } catch (error) {
    if (error instanceof ShellExpansionError) throw locatedBuildError(file, line, error.message);
    throw error;
  }
}

/** Finds the stage a `--from` or FROM name means among the stages before `before`. */
export function stageByName(stages: readonly Stage[], name: string, before: number): number | undefined {
  const lower = name.toLowerCase();
  for (const stage of stages) {
    if (stage.index >= before) break;
    if (stage.name === lower) return stage.index;
  }
  if (/^\d+$/.test(name)) {
    const index = Number(name);
    if (index < before) return index;
  }
  return undefined;
}

export function planBuild(text: string, file: string, usage: BuildArgUsage, target?: string): BuildPlan {
  const ast = parseDockerfile(text, { file });
  const { metaArgs: metaInstructions, stages } = parseInstructions(ast);
  if (stages.length === 0) throw locatedBuildError(file, undefined, `${file}: dockerfile contains no stages to build`);
  const shellOptions: ShellOptions = { escapeChar: ast.escapeChar };

  const metaScope = new ArgScope(usage);
  for (const instruction of metaInstructions) {
    for (const arg of instruction.args) {
      const env = [...metaScope.values()].map(([key, value]) => `${key}=${value}`);
      const value = arg.default === undefined ? undefined : expandWord(arg.default, env, shellOptions, file, instruction.line);
      metaScope.declare(arg.name, value);
    }
  }
  const metaArgs = metaScope.values();

  const planned: PlannedStage[] = stages.map((stage) => {
    const image = expandWord(stage.from.image, metaArgs, shellOptions, file, stage.from.line);
    if (image === '') throw locatedBuildError(file, stage.from.line, 'base name (' + stage.from.image + ') should not be blank');
    const fromStage = stageByName(stages, image, stage.index);
    if (fromStage !== undefined && !/^\d+$/.test(image)) return { stage, base: { kind: 'stage', index: fromStage } };
    if (image.toLowerCase() === 'scratch') return { stage, base: { kind: 'scratch' } };
    return { stage, base: { kind: 'image', ref: image } };
  });

  const seen = new Set<string>();
  for (const stage of stages) {
    if (stage.name === undefined) continue;
    if (seen.has(stage.name)) throw locatedBuildError(file, stage.from.line, `duplicate stage name "${stage.name}"`);
    seen.add(stage.name);
  }

  let targetIndex = stages.length - 1;
  if (target !== undefined && target !== '') {
    const found = stages.find((stage) => stage.name === target.toLowerCase());
    if (!found) throw locatedBuildError(file, undefined, `failed to reach build target ${target} in Dockerfile`);
    targetIndex = found.index;
  }

  const needed = new Set<number>();
  const visit = (index: number): void => {
    if (needed.has(index)) return;
    needed.add(index);
    const { stage, base } = planned[index]!;
    if (base.kind === 'stage') visit(base.index);
    for (const instruction of stage.instructions) {
      if (instruction.kind !== 'COPY' || instruction.from === undefined) continue;
      const from = expandWord(instruction.from, metaArgs, shellOptions, file, instruction.line);
      const dep = stageByName(stages, from, index);
      if (dep !== undefined) visit(dep);
      else if (/^\d+$/.test(from)) {
        throw locatedBuildError(file, instruction.line, `invalid from flag value ${from}: refers to a stage that is not defined before it`);
      }
    }
  };
  visit(targetIndex);
  const order = [...needed].sort((a, b) => a - b);
  const totalSteps = order.reduce((sum, index) => sum + 1 + planned[index]!.stage.instructions.length, 0);
  return { file, ast, shellOptions, metaArgs, stages: planned, order, totalSteps };
}
