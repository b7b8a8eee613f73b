/** Containers: records, lifecycle, files, exec, stats (engine.containers). */
import type { ContentStore } from '../store/content-store.js';
import type { EventLog } from '../events/index.js';
import type { StoreLayout } from '../util/index.js';
import { Containers } from './containers.js';
import { StoreImageSource } from './store-image-source.js';
import type { VolumeStore } from '../volume/index.js';

export * from './container-record.js';
export * from './container-errors.js';
export * from './container-store.js';
export * from './containers.js';
export * from './create-container.js';
export * from './run-options.js';
export * from './image-source.js';
export * from './container-files.js';
export * from './container-view.js';
export * from './container-exec.js';
export * from './container-stats.js';
export { StoreImageSource } from './store-image-source.js';

/** What engine.ts calls to build its `containers` facet (engine.volumes backs -v and --mount). */
export function createContainers(engine: {
  layout: StoreLayout;
  content: ContentStore;
  events: EventLog;
  volumes: VolumeStore;
}): Containers {
  return new Containers(engine.layout, engine.events, StoreImageSource.open(engine), engine.volumes);
}
export * from './container-prune.js';
export { restartDue, restartDelayMs } from './container-exit.js';
