/** Images through the engine's image store, each with the containers made from it. */
import type { Engine } from '../../engine/index.js';
import type { ImageRow } from '../dashboard-engine.js';
import { epochMs } from './container-adapter.js';

export async function listImages(engine: Engine): Promise<ImageRow[]> {
  const [images, containers] = await Promise.all([engine.images.list(), engine.containers.list()]);
  return images.map((image) => ({
    id: image.id,
    repoTags: image.repoTags,
    size: image.size,
    createdMs: epochMs(image.created),
    usedBy: containers
      .filter((container) => container.imageId === image.id)
      .map((container) => container.name),
  }));
}

export async function removeImage(engine: Engine, id: string): Promise<void> {
  await engine.images.remove(id, { force: false });
}
