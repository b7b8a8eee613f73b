/**
 * The Engine: the one typed API that both faces (CLI and dashboard) call. It owns the store
 * layout and hands out the per-domain services; it knows nothing of terminals or flags.
 */
import { mkdir } from 'node:fs/promises';
import { ContentStore } from './store/content-store.js';
import { ImageStore } from './store/image-store.js';
import { LayerStore } from './store/layer-store.js';
import { RegistryService } from './registry/index.js';
import { EventLog } from './events/index.js';
import { createContainers, type Containers } from './container/index.js';
import { VolumeStore, volumesUsage } from './volume/index.js';
import { Builder, buildCacheReferences, buildCacheUsage } from './build/index.js';
import { defaultStoreRoot, storeLayout, type StoreLayout } from './util/index.js';

export interface EngineOptions {
  /** Store root; defaults to BERTH_ROOT, /var/lib/berth (root) or $XDG_DATA_HOME/berth. */
  root?: string;
}

export class Engine {
  readonly layout: StoreLayout;
  readonly content: ContentStore;
  readonly events: EventLog;

  constructor(readonly root: string) {
    this.layout = storeLayout(root);
    this.content = new ContentStore(this.layout.content);
    this.events = new EventLog(this.layout.events);
  }

  #layers?: LayerStore;
  #images?: ImageStore;

  /** Unpacked layers, one per chain id, shared by images and containers (source/engine/store). */
  get layers(): LayerStore {
    return (this.#layers ??= new LayerStore(this.layout.layers, this.layout.tmp));
  }

  /** Images: index, tags, import/save/load, rmi/prune, system df (source/engine/store). */
  get images(): ImageStore {
    return (this.#images ??= new ImageStore({
      layout: this.layout,
      content: this.content,
      layers: this.layers,
      events: this.events,
      // The engine is where domains meet: the store keeps what the build cache holds and
      // reports volume and cache sizes without importing the domains above it.
      extraRoots: () => buildCacheReferences(this.layout),
      usageExtras: async (imageChains) => {
        const cache = await buildCacheUsage(this.layout, imageChains);
        return {
          volumes: await volumesUsage(this.root),
          buildCache: { count: cache.entries, size: cache.size },
        };
      },
    }));
  }

  #registry?: RegistryService;

  /** Registries: pull, push, tags, login, logout (source/engine/registry). */
  get registry(): RegistryService {
    return (this.#registry ??= new RegistryService({
      root: this.layout.root,
      locks: this.layout.locks,
      configPath: this.layout.config,
      content: this.content,
      layers: this.layers,
      images: this.images,
      events: this.events,
    }));
  }

  #volumes?: VolumeStore;

  /** Volumes: named and anonymous local volumes, ls/inspect/rm/prune (source/engine/volume). */
  get volumes(): VolumeStore {
    return (this.#volumes ??= new VolumeStore(this.layout, this.events));
  }

  #containers?: Containers;

  /** Containers: records, lifecycle, logs, exec (source/engine/container). */
  get containers(): Containers {
    return (this.#containers ??= createContainers(this));
  }

  #builder?: Builder;

  /** Builds: Dockerfiles to images, and the build cache (source/engine/build). */
  get builder(): Builder {
    return (this.#builder ??= new Builder(this));
  }

  /** Creates the store's directories; idempotent and cheap. */
  async init(): Promise<void> {
    const { layers, images, containers, volumes, locks, tmp } = this.layout;
    await Promise.all(
      [layers, images, containers, volumes, locks, tmp].map((dir) => mkdir(dir, { recursive: true })),
    );
    await this.content.init();
  }
}

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const engine = new Engine(options.root ?? defaultStoreRoot());
  await engine.init();
  return engine;
}
