/**
 * `build`: context → plan → stages → image. The whole build runs under an image-store lease, so
 * the blobs and layers it writes are safe from a concurrent collection until the image that names
 * them is committed; the rootfs scratch directories live inside the lease and go with it. Nothing
 * is tagged unless the build succeeded.
 */
import type { Engine } from '../engine.js';
import type { ImageStore } from '../store/image-store.js';
import { manifestFor } from '../store/image-layers.js';
import { MediaType } from '../oci/index.js';
import type { Digest } from '../util/index.js';
import { BuildArgUsage } from './build-args.js';
import { BuildCache, buildCacheUsage, pruneBuildCache, type BuildCacheUsage, type PruneCacheOptions } from './build-cache.js';
import { runGc } from '../store/image-recovery.js';
import { openContext } from './build-context.js';
import { ContextHashes } from './context-hashes.js';
import { planBuild, stageByName } from './build-plan.js';
import type { LayerDeps } from './build-rootfs.js';
import { chainsOf, type BuildState } from './build-state.js';
import type { BuildEvent, BuildOptions, BuildResult } from './build-types.js';
import { contextTree, rootfsTree } from './copy-sources.js';
import { openStateTree, type OpenedTree } from './copy-step.js';
import { imageState, StageBuilder, type BuildSession } from './stage-builder.js';
import { BuildRootfs } from './build-rootfs.js';
import { BuildError } from './build-errors.js';

export interface BuilderDeps extends LayerDeps {
  layout: Engine['layout'];
  images: ImageStore;
}

type EngineStores = Pick<Engine, 'layout' | 'content' | 'layers' | 'images'>;

/** The stores a build needs, from an engine. */
export function builderDeps(engine: EngineStores): BuilderDeps {
  return { layout: engine.layout, content: engine.content, layers: engine.layers, images: engine.images };
}

/** Writes the final state as an image (config and manifest blobs) and commits it with its tags. */
async function commitState(deps: BuilderDeps, state: BuildState, tags: string[]): Promise<Digest> {
  const configJson = JSON.stringify(state.config);
  const configBlob = await deps.content.put(configJson);
  const manifest = manifestFor(
    { mediaType: MediaType.ociConfig, digest: configBlob.digest, size: configBlob.size },
    state.layers.map((layer) => layer.descriptor),
  );
  const manifestBlob = await deps.content.put(JSON.stringify(manifest));
  const record = await deps.images.commitImage({ manifestDigest: manifestBlob.digest, tags, parent: state.baseImage });
  return record.id;
}

export async function buildImage(deps: BuilderDeps, options: BuildOptions): Promise<BuildResult> {
  const emit = (event: BuildEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // a drawing problem must not fail the build
    }
  };
  return deps.images.withLease(async (lease) => {
    const context = await openContext({
      context: options.context,
      dockerfile: options.dockerfile,
      dockerfileText: options.dockerfileText,
      scratchDir: lease.dir,
    });
    // Remembered file digests only for a context directory (a stdin tar is new every time).
    const hashes =
      typeof options.context === 'string'
        ? await ContextHashes.open(deps.layout, context.dir, !(options.noCache ?? false))
        : ContextHashes.none(context.dir);
    try {
      emit({ type: 'context', bytes: context.bytes });
      const usage = new BuildArgUsage(options.buildArgs ?? {});
      const plan = planBuild(context.dockerfileText, context.dockerfileName, usage, options.target);
      const labels = options.labels && Object.keys(options.labels).length > 0 ? options.labels : undefined;
      if (labels) plan.totalSteps++;
      const results = new Map<number, BuildState>();
      const session: BuildSession = {
        plan,
        file: context.dockerfileName,
        deps,
        cache: new BuildCache(deps.layout, deps),
        noCache: options.noCache ?? false,
        network: options.network ?? 'host',
        workDir: lease.dir,
        contextTree: contextTree(context, hashes),
        usage,
        results,
        emit,
        counters: { step: 0, cached: 0 },
        openFrom: async (from: string, stageIndex: number): Promise<OpenedTree> => {
          const index = stageByName(plan.stages.map((planned) => planned.stage), from, stageIndex);
          if (index !== undefined) {
            const state = results.get(index);
            if (!state) throw new BuildError(`stage ${from} was not built`);
            return openStateTree(state, lease.dir, deps);
          }
          const { state } = await imageState(deps.images, deps.layers, from);
          const rootfs = await BuildRootfs.mount(lease.dir, deps.layers, chainsOf(state));
          return { tree: rootfsTree(rootfs.merged), dispose: () => rootfs.dispose() };
        },
      };
      let final: BuildState | undefined;
      for (const index of plan.order) {
        const planned = plan.stages[index]!;
        const last = index === plan.order.at(-1);
        final = await new StageBuilder(session, planned).build(last ? labels : undefined);
        results.set(index, final);
      }
      const unconsumed = usage.unconsumed();
      if (unconsumed.length > 0) emit({ type: 'warning', message: `One or more build-args [${unconsumed.join(' ')}] were not consumed` });
      const imageId = await commitState(deps, final!, options.tags ?? []);
      return { imageId, tags: options.tags ?? [], steps: session.counters.step, cachedSteps: session.counters.cached };
    } finally {
      // Best effort: a digest not remembered is only read again next time.
      await hashes.save((rel) => context.entries.get(rel)?.kind === 'file').catch(() => undefined);
      await context.dispose();
    }
  });
}

/** The engine's `builder` facet: builds, and the build cache as `system df` and `builder prune` see it. */
export class Builder {
  private cached: BuilderDeps | undefined;

  constructor(private readonly engine: EngineStores) {}

  private get deps(): BuilderDeps {
    this.cached ??= builderDeps(this.engine);
    return this.cached;
  }

  build(options: BuildOptions): Promise<BuildResult> {
    return buildImage(this.deps, options);
  }

  /** The build cache's size; layers an image also uses are not reclaimable. */
  async cacheUsage(): Promise<BuildCacheUsage> {
    const data = await this.deps.images.read();
    const inUse = new Set<string>(Object.values(data.images).flatMap((image) => image.chainIds));
    return buildCacheUsage(this.deps.layout, inUse);
  }

  /** `builder prune`: drops cache entries, then collects the layers and blobs nothing else uses. */
  async pruneCache(options: PruneCacheOptions = {}): Promise<{ removed: number; reclaimed: number }> {
    const { removed } = await pruneBuildCache(this.deps.layout, options);
    const gc = await runGc(this.deps, this.deps.images.index);
    return { removed, reclaimed: gc.reclaimed };
  }
}
