/** The builder: Dockerfiles to images, layer by layer, with a cache and multi-stage builds. */
export { Builder, buildImage, builderDeps, type BuilderDeps } from './builder.js';
export type { BuildEvent, BuildOptions, BuildResult } from './build-types.js';
export { BuildError, RunStepError, LayerLimitError, MAX_IMAGE_LAYERS } from './build-errors.js';
export {
  buildCacheDir,
  buildCacheReferences,
  buildCacheUsage,
  pruneBuildCache,
  type BuildCacheUsage,
  type PruneCacheOptions,
} from './build-cache.js';
export { PROXY_ARGS } from './build-args.js';
