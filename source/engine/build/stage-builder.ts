/**
 * Builds one stage: starts from its base (scratch, an earlier stage's result or an image, whose
 * ONBUILD triggers run first), then dispatches each instruction with the build cache in front:
 * the step's key is computed from what it would do, a hit reuses the cached state, a miss runs
 * the step and records it.
 */
import { posix } from 'node:path';
import type { ImageStore } from '../store/image-store.js';
import type { Digest } from '../util/index.js';
import { goArch } from '../store/image-layers.js';
import {
  parseDockerfile,
  parseNodeInstruction,
  type Instruction,
  type LabelInstruction,
} from './dockerfile/index.js';
import { processWords } from './shell/index.js';
import { ArgScope, type BuildArgUsage } from './build-args.js';
import type { BuildCache } from './build-cache.js';
import { stepKey } from './build-cache.js';
import { BuildError, LayerLimitError, MAX_IMAGE_LAYERS, locatedBuildError } from './build-errors.js';
import { expandWord, type BuildPlan, type PlannedStage } from './build-plan.js';
import { BuildRootfs, type LayerDeps } from './build-rootfs.js';
import { chainsOf, nextState, runConfig, stateId, withDefaultPath, type BuildLayer, type BuildState } from './build-state.js';
import type { BuildEvent } from './build-types.js';
import { mkdirAllInRoot } from './copy-files.js';
import { prepareCopy, type OpenedTree } from './copy-step.js';
import type { SourceTree } from './copy-sources.js';
import { metadataStep, nopCreatedBy, nopStringCreatedBy, type StageFlags } from './metadata-steps.js';
import { prepareRun } from './run-instruction.js';

export interface BuildSession {
  plan: BuildPlan;
  file: string;
  deps: LayerDeps & { images: ImageStore };
  cache: BuildCache;
  noCache: boolean;
  network: 'host' | 'none';
  workDir: string;
  contextTree: SourceTree;
  usage: BuildArgUsage;
  /** Finished stages by index. */
  results: Map<number, BuildState>;
  openFrom: (from: string, stageIndex: number) => Promise<OpenedTree>;
  emit: (event: BuildEvent) => void;
  counters: { step: number; cached: number };
}

export function scratchState(): BuildState {
  return {
    config: { architecture: goArch(), os: 'linux', config: withDefaultPath({}), rootfs: { type: 'layers', diff_ids: [] }, history: [] },
    layers: [],
    cacheKey: 'scratch',
  };
}

/** An image from the store as the start of a stage (its ONBUILD triggers taken out). */
export async function imageState(images: ImageStore, layers: LayerDeps['layers'], ref: string): Promise<{ state: BuildState; triggers: string[] }> {
  const resolved = await images.resolve(ref);
  const manifest = await images.manifest(resolved.record.manifest);
  const buildLayers: BuildLayer[] = [];
  for (const [index, descriptor] of manifest.layers.entries()) {
    const chainId = resolved.record.chainIds[index] as Digest;
    buildLayers.push({ descriptor, diffId: resolved.record.diffIds[index] as Digest, chainId, size: await layers.size(chainId) });
  }
  const config = structuredClone(resolved.imageConfig);
  config.config = withDefaultPath(config.config ?? {});
  const triggers = config.config.OnBuild ?? [];
  delete config.config.OnBuild;
  return { state: { config, layers: buildLayers, cacheKey: `image:${resolved.id}`, baseImage: resolved.id }, triggers };
}

export class StageBuilder {
  private state!: BuildState;
  private readonly scope: ArgScope;
  private readonly flags: StageFlags = { cmdSet: false };

  constructor(
    private readonly session: BuildSession,
    private readonly planned: PlannedStage,
  ) {
    this.scope = new ArgScope(session.usage, session.plan.metaArgs);
  }

  private expand = (word: string, line: number): string =>
    expandWord(word, this.scope.expansionEnv(runConfig(this.state).Env ?? []), this.session.plan.shellOptions, this.session.file, line);

  async build(extraLabels?: Record<string, string>): Promise<BuildState> {
    const { session, planned } = this;
    const from = planned.stage.from;
    const step = this.beginStep(from.original);
    const started = Date.now();
    let triggers: string[] = [];
    let shownId: Digest;
    if (planned.base.kind === 'scratch') {
      this.state = scratchState();
      shownId = stateId(this.state);
    } else if (planned.base.kind === 'stage') {
      const base = session.results.get(planned.base.index);
      if (!base) throw locatedBuildError(session.file, from.line, `stage ${planned.base.index} was not built`);
      this.state = structuredClone(base);
      shownId = stateId(this.state);
    } else {
      try {
        const resolved = await imageState(session.deps.images, session.deps.layers, planned.base.ref);
        this.state = resolved.state;
        triggers = resolved.triggers;
        shownId = resolved.state.baseImage as Digest;
      } catch (error) {
        throw locatedBuildError(session.file, from.line, `${planned.base.ref}: ${(error as Error).message}`);
      }
    }
    if (triggers.length > 0) {
      session.emit({ type: 'triggers', count: triggers.length });
      for (const trigger of triggers) await this.dispatch(this.parseTrigger(trigger, from.line), step);
    }
    session.emit({ type: 'step-done', step, imageId: triggers.length > 0 ? stateId(this.state) : shownId, cached: false, ms: Date.now() - started });
    for (const instruction of planned.stage.instructions) {
      const index = this.beginStep(instruction.original);
      const t0 = Date.now();
      const cached = await this.dispatch(instruction, index);
      session.emit({ type: 'step-done', step: index, imageId: stateId(this.state), cached, ms: Date.now() - t0 });
    }
    if (extraLabels && Object.keys(extraLabels).length > 0) {
      const label = this.syntheticLabel(extraLabels);
      const index = this.beginStep(label.original);
      const t0 = Date.now();
      const cached = await this.dispatch(label, index);
      session.emit({ type: 'step-done', step: index, imageId: stateId(this.state), cached, ms: Date.now() - t0 });
    }
    return this.state;
  }

  private beginStep(text: string): number {
    const step = ++this.session.counters.step;
    this.session.emit({ type: 'step', step, total: this.session.plan.totalSteps, instruction: text, stage: this.planned.stage.index });
    return step;
  }

  private parseTrigger(trigger: string, line: number): Instruction {
    const ast = parseDockerfile(trigger, { file: this.session.file });
    const node = ast.children[0];
    if (!node) throw locatedBuildError(this.session.file, line, `invalid ONBUILD trigger: ${trigger}`);
    const instruction = parseNodeInstruction(node, this.session.file);
    if (instruction.kind === 'ONBUILD' || instruction.kind === 'FROM' || instruction.kind === 'MAINTAINER') {
      throw locatedBuildError(this.session.file, line, `${instruction.kind} isn't allowed as an ONBUILD trigger`);
    }
    // Errors in a trigger point at the FROM that ran it.
    return { ...instruction, line, endLine: line };
  }

  private syntheticLabel(labels: Record<string, string>): LabelInstruction {
    const pairs = Object.keys(labels)
      .sort()
      .map((key) => ({ key: JSON.stringify(key), value: JSON.stringify(labels[key]) }));
    const original = 'LABEL ' + pairs.map(({ key, value }) => `${key}=${value}`).join(' ');
    return { kind: 'LABEL', line: 0, endLine: 0, keyword: 'LABEL', original, pairs, legacy: false };
  }

  /** dispatch, with errors that lack a location given the instruction's line. */
  private async dispatch(instruction: Instruction, step: number): Promise<boolean> {
    try {
      return await this.dispatchUnlocated(instruction, step);
    } catch (error) {
      if (error instanceof BuildError && instruction.line > 0 && !/^\S+:\d+: /.test(error.message)) {
        throw locatedBuildError(this.session.file, instruction.line, error.message);
      }
      throw error;
    }
  }

  /** Runs one instruction (through the cache); returns whether the cache answered. */
  private async dispatchUnlocated(instruction: Instruction, step: number): Promise<boolean> {
    const { session } = this;
    const line = instruction.line;
    const config = runConfig(this.state);
    switch (instruction.kind) {
      case 'FROM':
        throw locatedBuildError(session.file, line, 'FROM is not allowed here');
      case 'ARG': {
        const parts: string[] = [];
        for (const arg of instruction.args) {
          const value = arg.default === undefined ? undefined : this.expand(arg.default, line);
          this.scope.declare(arg.name, value);
          parts.push(value === undefined ? arg.name : `${arg.name}=${value}`);
        }
        const createdBy = nopCreatedBy(config, `ARG ${parts.join(' ')}`);
        return this.step(['ARG', createdBy], createdBy, async () => undefined, () => undefined);
      }
      case 'RUN': {
        const run = prepareRun({
          instruction,
          state: this.state,
          scope: this.scope,
          file: session.file,
          network: session.network,
          workDir: session.workDir,
          deps: session.deps,
          onStart: (container) => session.emit({ type: 'running', step, container }),
          onOutput: (stream, data) => session.emit({ type: 'output', step, stream, data }),
        });
        return this.step(run.keyParts, run.createdBy, () => run.execute(), () => undefined, line);
      }
      case 'COPY':
      case 'ADD': {
        const copy = await prepareCopy({
          instruction,
          state: this.state,
          expand: (word) => this.expand(word, line),
          file: session.file,
          contextTree: session.contextTree,
          workDir: session.workDir,
          deps: session.deps,
          openFrom: (from) => session.openFrom(from, this.planned.stage.index),
        });
        try {
          return await this.step(copy.keyParts, copy.createdBy, () => copy.execute(), () => undefined, line);
        } finally {
          await copy.dispose();
        }
      }
      case 'WORKDIR': {
        const expanded = this.expand(instruction.path, line);
        const path = posix.normalize(posix.isAbsolute(expanded) ? expanded : posix.join(config.WorkingDir || '/', expanded));
        const workdir = path.length > 1 ? path.replace(/\/+$/, '') : path;
        const createdBy = nopStringCreatedBy(config, `WORKDIR ${workdir}`);
        const make = async (): Promise<BuildLayer | undefined> => {
          const rootfs = await BuildRootfs.mount(session.workDir, session.deps.layers, chainsOf(this.state));
          try {
            await mkdirAllInRoot(rootfs.merged, workdir, { uid: 0, gid: 0 });
            return await rootfs.commit(session.deps, chainsOf(this.state).at(-1));
          } finally {
            await rootfs.dispose();
          }
        };
        return this.step(['WORKDIR', createdBy], createdBy, make, (next) => void (next.WorkingDir = workdir), line);
      }
      default: {
        const words = (word: string): string[] =>
          processWords(word, this.scope.expansionEnv(config.Env ?? []), session.plan.shellOptions);
        const meta = metadataStep(instruction, config, this.flags, (word) => this.expand(word, line), words, session.file);
        if (!meta) throw locatedBuildError(session.file, line, `unknown instruction: ${instruction.keyword}`);
        if (meta.setsCmd) this.flags.cmdSet = true;
        const createdBy = nopCreatedBy(config, meta.comment);
        return this.step([instruction.kind, createdBy, `author=${meta.author ?? ''}`, `cmdSet=${this.flags.cmdSet}`], createdBy, async () => undefined, meta.apply, line, meta.author);
      }
    }
  }

  /** The cache in front of a step: a hit reuses the stored state, a miss produces and records it. */
  private async step(
    parts: string[],
    createdBy: string,
    produceLayer: () => Promise<BuildLayer | undefined>,
    change: (config: NonNullable<BuildState['config']['config']>) => void,
    line = 0,
    author?: string,
  ): Promise<boolean> {
    const { session } = this;
    const key = stepKey(this.state.cacheKey, parts);
    if (!session.noCache) {
      const hit = await session.cache.get(key);
      if (hit) {
        if (this.state.baseImage) hit.baseImage = this.state.baseImage;
        this.state = hit;
        session.counters.cached++;
        session.emit({ type: 'cached', step: session.counters.step });
        return true;
      }
    }
    const depth = this.state.config.rootfs.diff_ids.length;
    // Checked before the step runs: overlayfs cannot even mount that many layers.
    if (line > 0 && depth >= MAX_IMAGE_LAYERS && parts[0] !== undefined && ['RUN', 'COPY', 'ADD', 'WORKDIR'].includes(parts[0])) {
      throw new LayerLimitError(session.file, line, depth + 1);
    }
    const layer = await produceLayer();
    const next = nextState(this.state, key, createdBy, change, layer, author);
    if (this.state.baseImage) next.baseImage = this.state.baseImage;
    await session.cache.put(key, next, createdBy);
    this.state = next;
    return false;
  }
}
