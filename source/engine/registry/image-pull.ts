/**
 * `pull`: resolve a name to a manifest (through an index for the platform asked for), fetch and
 * verify the config, stream the layers the store lacks (3–6 at once) straight into the content
 * and layer stores, then store manifest and config and register the image. Until that last step
 * nothing names the image, so a failed pull leaves only whole, verified blobs and layers.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { parseImageConfig } from '../oci/index.js';
import { chainIds } from '../store/layer-store.js';
import { isDigest, type Digest } from '../util/index.js';
import { downloadLayer, fetchSmallBlob, unpackLocalBlob, type LayerFetch } from './blob-fetch.js';
import { mapLimit } from './concurrency.js';
import { fetchManifest, resolvePlatform, type ManifestDocument } from './manifest-fetch.js';
import type { RegistryClient } from './registry-client.js';
import { RegistryError } from './registry-errors.js';
import type { RegistryStores } from './registry-stores.js';
import { layerId, type ProgressListener } from './transfer-progress.js';
import type { Platform } from './platform.js';

export interface PullOptions {
  /** Platform of an index to pick (default: this machine's). */
  platform?: Platform;
  onProgress?: ProgressListener;
  /** Layers fetched at once, 1–6 (default 3, as docker). */
  concurrency?: number;
}

export interface PullResult {
  /** Full reference pulled (docker.io/library/busybox:latest or …@sha256:…). */
  reference: string;
  /** Digest the name resolved to (an index's when the image is multi-platform). */
  digest: Digest;
  /** The platform manifest the image is made of. */
  manifestDigest: Digest;
  /** Image id (config digest). */
  configDigest: Digest;
  /** False when every blob and layer was already in the store. */
  downloaded: boolean;
}

export interface PullTarget {
  /** Full repository name (docker.io/library/busybox), for the image's repo digest. */
  name: string;
  repository: string;
  /** Tag or digest. */
  reference: string;
  /** What the user sees (docker.io/library/busybox:latest). */
  display: string;
  /** Tags the image record gets (empty for a pull by digest). */
  tags: string[];
}

/** Tries each client in turn (mirrors first) for the manifest; the one that answers serves blobs. */
async function firstManifest(clients: RegistryClient[], target: PullTarget) {
  let lastError: unknown;
  for (const client of clients) {
    try {
      return {
        client,
        document: await fetchManifest(client, target.repository, target.reference, target.display),
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

export async function pullImage(
  clients: RegistryClient[],
  stores: RegistryStores,
  target: PullTarget,
  platform: Platform,
  options: PullOptions = {},
): Promise<PullResult & { client: RegistryClient }> {
  const { onProgress } = options;
  const concurrency = Math.min(6, Math.max(1, options.concurrency ?? 3));
  const { client, document: top } = await firstManifest(clients, target);
  let document: ManifestDocument = top;
  if (top.kind === 'index') {
    const entry = resolvePlatform(top.index, platform, target.display);
    document = await fetchManifest(
      client,
      target.repository,
      entry.digest,
      `${target.display}@${entry.digest}`,
    );
    if (document.kind !== 'manifest') {
      throw new RegistryError(
        'REGISTRY_MANIFEST_INVALID',
        `${target.display}: nested image indexes are not supported`,
      );
    }
  }
  if (document.kind !== 'manifest') throw new Error('unreachable');
  const manifest = document.manifest;
  const configDigest = manifest.config.digest as Digest;
  const configBytes = (await stores.content.has(configDigest))
    ? await stores.content.read(configDigest)
    : await fetchSmallBlob(client, target.repository, manifest.config);
  const config = parseImageConfig(configBytes);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length || !diffIds.every((id) => isDigest(id))) {
    throw new InvalidArgumentError(
      `${target.display}: config lists ${diffIds.length} layers but the manifest has ${manifest.layers.length}`,
    );
  }
  const chains = chainIds(diffIds as Digest[]);
  onProgress?.({
    type: 'resolved',
    reference: target.display,
    digest: top.digest,
    layers: manifest.layers.map((layer) => ({
      id: layerId(layer.digest),
      digest: layer.digest as Digest,
      size: layer.size,
    })),
  });
  const plans = await Promise.all(
    manifest.layers.map(async (descriptor, index) => {
      const chain = chains[index]!;
      const [haveBlob, haveLayer] = await Promise.all([
        stores.content.has(descriptor.digest as Digest),
        stores.layers.has(chain),
      ]);
      const fetch: LayerFetch = {
        descriptor,
        diffId: diffIds[index] as Digest,
        parentChain: index > 0 ? chains[index - 1] : undefined,
        unpack: !haveLayer,
      };
      onProgress?.({
        type: 'layer',
        id: layerId(descriptor.digest),
        state: haveBlob && haveLayer ? 'exists' : 'waiting',
      });
      return { fetch, haveBlob, haveLayer };
    }),
  );
  let downloaded = false;
  await mapLimit(
    plans.filter((plan) => !(plan.haveBlob && plan.haveLayer)),
    concurrency,
    async ({ fetch, haveBlob }) => {
      const id = layerId(fetch.descriptor.digest);
      if (haveBlob) {
        onProgress?.({ type: 'layer', id, state: 'extracting' });
        await unpackLocalBlob(stores.content, stores.layers, fetch);
      } else {
        downloaded = true;
        await downloadLayer(client, target.repository, fetch, stores, onProgress);
      }
      onProgress?.({ type: 'layer', id, state: 'done' });
    },
  );
  // Small documents last: the image becomes visible only when everything below it is whole.
  if (!(await stores.content.has(configDigest)) || !(await stores.content.has(document.digest)))
    downloaded = true;
  await stores.content.put(configBytes, configDigest);
  await stores.content.put(document.bytes, document.digest);
  if (top !== document) await stores.content.put(top.bytes, top.digest);
  await stores.images.commitImage({
    manifestDigest: document.digest,
    tags: target.tags,
    repoDigests: [`${target.name}@${top.digest}`],
  });
  return {
    client,
    reference: target.display,
    digest: top.digest,
    manifestDigest: document.digest,
    configDigest,
    downloaded,
  };
}
