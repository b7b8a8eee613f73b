/**
 * RUN as a build step: the command line (shell form through SHELL, exec form as is, heredocs as
 * BuildKit runs them), its history text with the build args in scope (`|1 X=y /bin/sh -c …`,
 * which is also what keys the cache), and running it in the step's rootfs.
 */
import { parseHeredocWord, type RunInstruction } from './dockerfile/index.js';
import { BuildError, RunStepError } from './build-errors.js';
import { BuildRootfs, type LayerDeps } from './build-rootfs.js';
import { chainsOf, runConfig, type BuildLayer, type BuildState } from './build-state.js';
import { shellOf } from './metadata-steps.js';
import { writeScratchFile } from './copy-step.js';
import { runCommand } from './run-step.js';
import type { ArgScope } from './build-args.js';

export interface RunStepInput {
  instruction: RunInstruction;
  state: BuildState;
  scope: ArgScope;
  file: string;
  network: 'host' | 'none';
  workDir: string;
  deps: LayerDeps;
  onStart: (containerId: string) => void;
  onOutput: (stream: 'stdout' | 'stderr', data: string) => void;
}

export interface PreparedRun {
  keyParts: string[];
  createdBy: string;
  execute(): Promise<BuildLayer | undefined>;
}

interface Command {
  args: string[];
  /** A `#!` heredoc script to bind at /dev/pipes/<name>. */
  script?: { name: string; data: string };
}

function commandOf(instruction: RunInstruction, shell: string[]): Command {
  if (instruction.form === 'exec') return { args: [...instruction.args] };
  const line = instruction.args[0] ?? '';
  const heredocs = instruction.heredocs;
  if (heredocs.length === 0) return { args: [...shell, line] };
  const only = heredocs.length === 1 ? heredocs[0]! : undefined;
  let whole: ReturnType<typeof parseHeredocWord> = null;
  try {
    whole = parseHeredocWord(line.trim());
  } catch {
    whole = null;
  }
  if (only && whole && whole.name === only.name) {
    // `RUN <<EOF`: the heredoc is the script itself.
    const data = only.chomp ? only.content.replace(/^\t+/gm, '') : only.content;
    if (data.startsWith('#!')) return { args: [`/dev/pipes/${only.name}`], script: { name: only.name, data } };
    return { args: [...shell, data] };
  }
  // Otherwise the shell reads the heredocs itself, as BuildKit hands them over.
  const script = [line, ...heredocs.map((heredoc) => `${heredoc.content}${heredoc.name}`)].join('\n');
  return { args: [...shell, script] };
}

export function prepareRun(input: RunStepInput): PreparedRun {
  const { instruction, state, scope, file } = input;
  if (instruction.mountSpecs.length > 0) {
    throw new BuildError(`${file}:${instruction.line}: RUN --mount is not supported by berth's builder`);
  }
  const config = runConfig(state);
  const env = config.Env ?? [];
  const command = commandOf(instruction, shellOf(config));
  const allowed = scope.filterAllowed(env);
  const historyArgs = scope.historyArgs(env);
  const saved = allowed.length > 0 ? [`|${historyArgs.length}`, ...historyArgs, ...command.args] : command.args;
  const createdBy = saved.join(' ');
  const network = instruction.network === 'default' ? input.network : instruction.network;
  const keyParts = ['RUN', createdBy, `network=${network}`];
  const execute = async (): Promise<BuildLayer | undefined> => {
    const rootfs = await BuildRootfs.mount(input.workDir, input.deps.layers, chainsOf(state), { init: true });
    const script = command.script ? await writeScratchFile(input.workDir, command.script.name, command.script.data) : undefined;
    try {
      const status = await runCommand({
        rootfs,
        args: command.args,
        env: [...env, ...allowed],
        user: config.User ?? '',
        workdir: config.WorkingDir ?? '',
        network,
        binds: script
          ? [{ destination: `/dev/pipes/${command.script!.name}`, type: 'bind', source: script.path, options: ['rbind', 'ro'] }]
          : [],
        onStart: input.onStart,
        onOutput: input.onOutput,
      });
      if (status !== 0) throw new RunStepError(command.args.join(' '), status);
      return await rootfs.commit(input.deps, chainsOf(state).at(-1));
    } finally {
      await rootfs.dispose();
      await script?.dispose();
    }
  };
  return { keyParts, createdBy, execute };
}
