/**
 * The image being built, step by step: its full config (runtime config, history, rootfs) and the
 * layers behind it, plus the cache key of the step that produced it. A state is what the build
 * cache stores and what becomes an image at the end; its id is the digest its config would have,
 * so a fully cached rebuild ends in the very same image id.
 */
import type { ContainerConfig, Descriptor, HistoryEntry, ImageConfig } from '../oci/index.js';
import { type Digest, sha256 } from '../util/index.js';
import { DEFAULT_PATH } from '../runtime/index.js';

export interface BuildLayer {
  descriptor: Descriptor;
  diffId: Digest;
  chainId: Digest;
  /** Content bytes, as the layer store counts them. */
  size: number;
}

export interface BuildState {
  config: ImageConfig;
  layers: BuildLayer[];
  cacheKey: string;
  /** The image the stage started from, when it came from the store. */
  baseImage?: Digest;
}

/** The image id this state would have: the digest of its serialised config. */
export function stateId(state: BuildState): Digest {
  return sha256(JSON.stringify(state.config));
}

export function runConfig(state: BuildState): ContainerConfig {
  return state.config.config ?? {};
}

/** A copy whose runtime config can be changed without touching the original (cached) state. */
export function cloneState(state: BuildState): BuildState {
  return structuredClone(state);
}

/** docker's setDefaultPath: a stage's config always has a PATH. */
export function withDefaultPath(config: ContainerConfig): ContainerConfig {
  const env = config.Env ?? [];
  if (env.some((entry) => entry.startsWith('PATH='))) return config;
  return { ...config, Env: [...env, `PATH=${DEFAULT_PATH}`] };
}

/**
 * The next state: `change` edits a copy of the runtime config, one history entry is appended and,
 * when the step made a layer, the layer too. The config's `created` is the step's time.
 */
export function nextState(
  previous: BuildState,
  cacheKey: string,
  createdBy: string,
  change: (config: ContainerConfig) => void,
  layer?: BuildLayer,
  author?: string,
): BuildState {
  const state = cloneState(previous);
  const config = state.config.config ?? {};
  change(config);
  state.config.config = config;
  const created = new Date().toISOString();
  state.config.created = created;
  if (author !== undefined) state.config.author = author;
  const entry: HistoryEntry = { created, created_by: createdBy };
  if (state.config.author) entry.author = state.config.author;
  if (layer) {
    state.layers.push(layer);
    state.config.rootfs = { type: 'layers', diff_ids: [...state.config.rootfs.diff_ids, layer.diffId] };
  } else {
    entry.empty_layer = true;
  }
  state.config.history = [...(state.config.history ?? []), entry];
  state.cacheKey = cacheKey;
  return state;
}

/** Layer chain ids, base first (overlay lowers, GC roots). */
export function chainsOf(state: BuildState): Digest[] {
  return state.layers.map((layer) => layer.chainId);
}

/** Sets or replaces `KEY=value` in an env list, keeping the position of an existing key. */
export function setEnv(env: string[], key: string, value: string): string[] {
  const entry = `${key}=${value}`;
  const index = env.findIndex((item) => item === key || item.startsWith(`${key}=`));
  if (index < 0) return [...env, entry];
  const copy = [...env];
  copy[index] = entry;
  return copy;
}
