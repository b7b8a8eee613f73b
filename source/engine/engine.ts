/**
 * The Engine: the one typed API that both faces (CLI and dashboard) call. It owns the store
 * layout and hands out the per-domain services; it knows nothing of terminals or flags.
 */
import { mkdir } from 'node:fs/promises';
import { ContentStore } from './store/content-store.js';
import { EventLog } from './events/index.js';
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
