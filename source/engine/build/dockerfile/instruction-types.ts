/**
 * Typed Dockerfile instructions, the equivalent of BuildKit's instructions package. Values are
 * NOT expanded: `$VAR`, quotes and escapes in words are kept as written so the builder can expand
 * them with the ARG/ENV values in scope at that step.
 */
import type { Node } from './ast.js';
import type { Heredoc } from './heredoc.js';
import type { RunMount } from './run-mount.js';

export interface InstructionBase {
  /** 1-based first and last line in the Dockerfile. */
  line: number;
  endLine: number;
  /** The keyword as written (`run`, `RUN`). */
  keyword: string;
  /** The logical source line, for history's `created_by` and messages. */
  original: string;
}

/** The location and source fields every instruction carries, taken from its AST node. */
export function instructionBase(node: Node): InstructionBase {
  return { line: node.startLine, endLine: node.endLine, keyword: node.keyword, original: node.original };
}

/** Shell form runs `[...SHELL, command]`; exec form runs `args` directly. */
export type CommandForm = 'shell' | 'exec';

export interface FromInstruction extends InstructionBase {
  kind: 'FROM';
  image: string;
  platform?: string;
  /** `AS name`, lowercased as BuildKit does. */
  stageName?: string;
}

export interface RunInstruction extends InstructionBase {
  kind: 'RUN';
  form: CommandForm;
  /** Shell form: one element, the script. Exec form: argv. */
  args: string[];
  /** Parsed `--mount` values (unexpanded values with `$` are kept raw and unchecked). */
  mounts: RunMount[];
  /** The raw `--mount` values, to re-parse with parseRunMount(spec, expand) after expansion. */
  mountSpecs: string[];
  network: 'default' | 'none' | 'host';
  /** `RUN <<EOF …`: inline files; the builder runs or feeds them (chomp not applied yet). */
  heredocs: Heredoc[];
  /** Flags given (`mount`, `network`), sorted. */
  flagsUsed: string[];
}

export interface CmdInstruction extends InstructionBase {
  kind: 'CMD';
  form: CommandForm;
  args: string[];
}

export interface EntrypointInstruction extends InstructionBase {
  kind: 'ENTRYPOINT';
  form: CommandForm;
  /** `ENTRYPOINT []` gives an empty exec-form list, which resets the entrypoint. */
  args: string[];
}

export interface KeyValue {
  key: string;
  /** Raw: quotes and escapes still in place (ENV a="b c" → `"b c"`). */
  value: string;
}

export interface EnvInstruction extends InstructionBase {
  kind: 'ENV';
  pairs: KeyValue[];
  /** `ENV key value` rather than `ENV key=value`. */
  legacy: boolean;
}

export interface LabelInstruction extends InstructionBase {
  kind: 'LABEL';
  pairs: KeyValue[];
  legacy: boolean;
}

export interface ArgDefinition {
  name: string;
  /** Raw default value; undefined when the ARG has none (`ARG name`). */
  default?: string;
}

export interface ArgInstruction extends InstructionBase {
  kind: 'ARG';
  /** `ARG a=1 b` declares several. */
  args: ArgDefinition[];
}

export interface MaintainerInstruction extends InstructionBase {
  kind: 'MAINTAINER';
  maintainer: string;
}

export interface ExposeInstruction extends InstructionBase {
  kind: 'EXPOSE';
  /** As written (`80`, `53/udp`, `$PORT`), sorted like BuildKit. */
  ports: string[];
}

export interface VolumeInstruction extends InstructionBase {
  kind: 'VOLUME';
  volumes: string[];
}

export interface UserInstruction extends InstructionBase {
  kind: 'USER';
  user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  kind: 'WORKDIR';
  path: string;
}

/** A heredoc used as a COPY/ADD source: a file named `path` holding `data`. */
export interface SourceContent {
  path: string;
  /** Chomped already when the heredoc was `<<-`. */
  data: string;
  expand: boolean;
}

interface CopyLike extends InstructionBase {
  /** Source paths (heredoc sources are in sourceContents). */
  sources: string[];
  sourceContents: SourceContent[];
  dest: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
  /** JSON form was used (`COPY ["a b", "/x"]`). */
  json: boolean;
  heredocs: Heredoc[];
}

export interface CopyInstruction extends CopyLike {
  kind: 'COPY';
  /** `--from=stage|index|image`. */
  from?: string;
  parents: boolean;
}

export interface AddInstruction extends CopyLike {
  kind: 'ADD';
  checksum?: string;
  keepGitDir?: boolean;
  /** `--unpack`: undefined = default (unpack local archives only). */
  unpack?: boolean;
}

export interface OnbuildInstruction extends InstructionBase {
  kind: 'ONBUILD';
  /** The trigger as stored in the image config (`RUN echo hi`, heredoc bodies appended). */
  trigger: string;
  /** The trigger's keyword, uppercased. */
  triggerKeyword: string;
}

export interface StopsignalInstruction extends InstructionBase {
  kind: 'STOPSIGNAL';
  signal: string;
}

/** Durations in nanoseconds, as the image config stores them; 0 = unset (inherit/default). */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", ...argv]` or `["CMD-SHELL", script]`. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface HealthcheckInstruction extends InstructionBase {
  kind: 'HEALTHCHECK';
  /** NONE disables the inherited check. */
  health: { test: ['NONE'] } | HealthConfig;
}

export interface ShellInstruction extends InstructionBase {
  kind: 'SHELL';
  shell: string[];
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | CopyInstruction
  | AddInstruction
  | OnbuildInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | ShellInstruction;

export type InstructionKind = Instruction['kind'];

/** A build stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  /** Position among the stages (for `COPY --from=0`). */
  index: number;
  /** Lowercased `AS` name, if any. */
  name?: string;
  from: FromInstruction;
  instructions: Instruction[];
}

export interface DockerfileInstructions {
  /** ARGs before the first FROM (usable in FROM lines). */
  metaArgs: ArgInstruction[];
  stages: Stage[];
}
