/** The container domain's view of the image store: resolve for create, createFromLayers for commit. */
import type { ContentStore } from '../store/content-store.js';
import { ImageStore } from '../store/image-store.js';
import { LayerStore } from '../store/layer-store.js';
import type { EventLog } from '../events/index.js';
import type { Digest, StoreLayout } from '../util/index.js';
import type { CommitRequest, ContainerImage, ImageSource } from './image-source.js';

export class StoreImageSource implements ImageSource {
  constructor(private readonly images: ImageStore) {}

  static open(deps: { layout: StoreLayout; content: ContentStore; events: EventLog }): StoreImageSource {
    const layers = new LayerStore(deps.layout.layers, deps.layout.tmp);
    return new StoreImageSource(new ImageStore({ ...deps, layers }));
  }

  async resolve(ref: string): Promise<ContainerImage> {
    const image = await this.images.resolve(ref);
    return { id: image.id, ref: image.ref, config: image.config, chainIds: image.chainIds };
  }

  async commit(request: CommitRequest): Promise<Digest> {
    const parent = await this.images.resolve(request.parent);
    const { rootfs: _rootfs, ...base } = parent.imageConfig;
    const created = new Date().toISOString();
    const record = await this.images.createFromLayers({
      base: parent.id,
      config: {
        ...base,
        created,
        ...(request.author ? { author: request.author } : {}),
        config: {
          ...request.config,
          Entrypoint: request.config.Entrypoint ?? undefined,
          Cmd: request.config.Cmd ?? undefined,
          Labels: request.config.Labels ?? undefined,
          ExposedPorts: request.config.ExposedPorts ?? undefined,
          Volumes: request.config.Volumes ?? undefined,
        },
        history: [
          ...(base.history ?? []),
          {
            created,
            created_by: `berth commit ${request.containerId.slice(0, 12)}`,
            ...(request.comment ? { comment: request.comment } : {}),
          },
        ],
      },
      layerTars: [request.layer],
      tags: request.ref ? [request.ref] : [],
    });
    return record.id;
  }
}
