/**
 * What the registry client needs from the rest of the engine, named structurally so the client
 * depends on behaviour, not on how the image store is built.
 */
import type { ContentStore } from '../store/content-store.js';
import type { LayerStore } from '../store/layer-store.js';
import type { EventLog } from '../events/index.js';
import type { Digest } from '../util/index.js';

export interface ImageRegistrar {
  /** Registers an image whose manifest, config and layer blobs are in content and unpacked. */
  commitImage(options: { manifestDigest: Digest; tags?: string[]; repoDigests?: string[] }): Promise<unknown>;
  /** Keeps garbage collection away from blobs a pull wrote before the image names them. */
  withLease?<T>(action: () => Promise<T>): Promise<T>;
  /** Tags (full references) → manifest digest, for push. */
  read?(): Promise<{ tags: Record<string, Digest> }>;
}

export interface RegistryStores {
  root: string;
  locks: string;
  /** <root>/config.json: insecure-registries, registry-mirrors. */
  configPath: string;
  content: ContentStore;
  layers: LayerStore;
  images: ImageRegistrar;
  events?: EventLog;
}
