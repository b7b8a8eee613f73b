/** docker's `image inspect` object and `history` rows, built from a record and its config. */
import type { ContainerConfig, ImageConfig } from '../oci/index.js';
import type { LayerStore } from './layer-store.js';
import type { ImageHistoryEntry, ImageIndexData, ImageInspect, ImageRecord } from './image-types.js';
import { familiarTag, tagsOf } from './image-resolve.js';

/** docker prints these fields even when the image sets none. */
function dockerConfig(config: ContainerConfig | undefined): ContainerConfig {
  return {
    User: '',
    Env: [],
    Cmd: undefined,
    WorkingDir: '',
    Entrypoint: undefined,
    Labels: undefined,
    ...config,
  };
}

/** JSON.stringify drops undefined; docker shows null for unset lists and maps. */
function withNulls(config: ContainerConfig): ContainerConfig {
  const shown: Record<string, unknown> = { ...config };
  for (const key of ['Cmd', 'Entrypoint', 'Labels', 'OnBuild', 'Volumes']) shown[key] ??= null;
  return shown as ContainerConfig;
}

export async function buildInspect(
  deps: { layers: LayerStore },
  data: ImageIndexData,
  record: ImageRecord,
  config: ImageConfig,
): Promise<ImageInspect> {
  const manifest = data.manifests[record.manifest];
  const lastHistory = config.history?.at(-1);
  const top = record.chainIds.at(-1);
  return {
    Id: record.id,
    RepoTags: tagsOf(data, record.id).map(familiarTag),
    RepoDigests: record.repoDigests.map(familiarTag),
    Parent: record.parent ?? '',
    Comment: lastHistory?.comment ?? '',
    Created: config.created ?? record.created ?? '',
    DockerVersion: '',
    Author: config.author ?? '',
    Config: withNulls(dockerConfig(config.config)),
    Architecture: config.architecture,
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os,
    Size: record.size,
    GraphDriver: {
      Name: 'overlay',
      // As docker's overlay2: the top layer is UpperDir, the ones below it LowerDir.
      Data: top
        ? {
            ...(record.chainIds.length > 1
              ? { LowerDir: deps.layers.lowerDirs(record.chainIds.slice(0, -1)).join(':') }
              : {}),
            UpperDir: deps.layers.diffPath(top),
          }
        : {},
    },
    RootFS: { Type: 'layers', Layers: [...record.diffIds] },
    Metadata: { LastTagTime: record.lastTagTime ?? '0001-01-01T00:00:00Z' },
    Descriptor: {
      mediaType: manifest?.mediaType ?? '',
      digest: record.manifest,
      size: manifest?.size ?? 0,
    },
  };
}

export async function buildHistory(
  deps: { layers: LayerStore },
  record: ImageRecord,
  config: ImageConfig,
): Promise<ImageHistoryEntry[]> {
  const layerSizes: number[] = [];
  for (const chain of record.chainIds) layerSizes.push(await deps.layers.size(chain).catch(() => 0));
  const history =
    config.history && config.history.length > 0
      ? config.history
      : record.diffIds.map(() => ({ created: config.created ?? '', created_by: '', comment: '' }));
  const rows: ImageHistoryEntry[] = [];
  let layer = 0;
  for (const entry of history) {
    const emptyLayer = 'empty_layer' in entry && entry.empty_layer === true;
    const size = emptyLayer ? 0 : (layerSizes[layer] ?? 0);
    if (!emptyLayer) layer++;
    rows.push({
      id: '<missing>',
      created: entry.created ?? '',
      createdBy: entry.created_by ?? '',
      size,
      comment: entry.comment ?? '',
      emptyLayer,
    });
  }
  // The newest row is the image itself; older rows are <missing>, as docker shows pulled images.
  rows.reverse();
  const [first] = rows;
  if (first) first.id = record.id;
  return rows;
}
