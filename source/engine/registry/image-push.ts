/**
 * `push`: upload what a manifest references (config and layers, 3 at once, skipping or mounting
 * what the registry can already reach), then the manifest bytes exactly as stored, so the
 * digest the registry computes equals the local one. An index is pushed after its platform
 * manifests.
 */
import type { ContentStore } from '../store/content-store.js';
import { isDigest, type Digest } from '../util/index.js';
import type { BlobSources } from './blob-sources.js';
import { uploadBlob, type UploadMode } from './blob-upload.js';
import { mapLimit } from './concurrency.js';
import { manifestPath } from './endpoints.js';
import { discardBody, header } from './http-transport.js';
import { parseManifestDocument, type ManifestDocument } from './manifest-fetch.js';
import type { RegistryClient } from './registry-client.js';
import { RegistryError } from './registry-errors.js';
import { repositoryScope } from './token-auth.js';
import { layerId, type ProgressListener } from './transfer-progress.js';

export interface PushOptions {
  onProgress?: ProgressListener;
  uploadMode?: UploadMode;
  chunkSize?: number;
  concurrency?: number;
}

export interface PushResult {
  reference: string;
  digest: Digest;
  size: number;
}

async function readDocument(
  content: ContentStore,
  digest: Digest,
  display: string,
): Promise<ManifestDocument> {
  const bytes = await content.read(digest);
  return parseManifestDocument(bytes, digest, undefined, display);
}

async function putManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  document: ManifestDocument,
): Promise<void> {
  const response = await client.request({
    method: 'PUT',
    path: manifestPath(repository, reference),
    scopes: [repositoryScope(repository, ['pull', 'push'])],
    headers: { 'Content-Type': document.mediaType },
    body: document.bytes,
    expect: [201],
    context: { repository, reference },
  });
  discardBody(response);
  const answered = header(response.headers, 'docker-content-digest');
  if (answered && isDigest(answered) && answered !== document.digest) {
    throw new RegistryError(
      'REGISTRY_DIGEST_CHANGED',
      `registry ${client.domain} stored the manifest as ${answered}, not ${document.digest}`,
    );
  }
}

async function pushManifestTree(
  client: RegistryClient,
  repository: string,
  document: ManifestDocument,
  content: ContentStore,
  sources: BlobSources,
  options: PushOptions,
): Promise<void> {
  if (document.kind === 'index') {
    for (const entry of document.index.manifests) {
      if (!isDigest(entry.digest) || !(await content.has(entry.digest))) {
        throw new RegistryError(
          'PUSH_INCOMPLETE_INDEX',
          `cannot push the index ${document.digest}: platform manifest ${entry.digest} is not in the store`,
        );
      }
      const child = await readDocument(content, entry.digest, entry.digest);
      await pushManifestTree(client, repository, child, content, sources, options);
      await putManifest(client, repository, child.digest, child);
    }
    return;
  }
  const { onProgress } = options;
  const blobs = [document.manifest.config, ...document.manifest.layers];
  onProgress?.({
    type: 'resolved',
    reference: repository,
    digest: document.digest,
    layers: document.manifest.layers.map((layer) => ({
      id: layerId(layer.digest),
      digest: layer.digest as Digest,
      size: layer.size,
    })),
  });
  for (const layer of document.manifest.layers)
    onProgress?.({ type: 'layer', id: layerId(layer.digest), state: 'preparing' });
  await mapLimit(blobs, Math.min(6, Math.max(1, options.concurrency ?? 3)), async (descriptor, index) => {
    const digest = descriptor.digest as Digest;
    const outcome = await uploadBlob(client, repository, descriptor, content, {
      mode: options.uploadMode,
      chunkSize: options.chunkSize,
      mountFrom: await sources.mountSources(client.domain, repository, digest),
      onProgress: index === 0 ? undefined : onProgress,
    });
    if (index > 0)
      onProgress?.({
        type: 'layer',
        id: layerId(digest),
        state: outcome,
        current: descriptor.size,
        total: descriptor.size,
      });
  });
  await sources.record(
    client.domain,
    repository,
    blobs.map((blob) => blob.digest as Digest),
  );
}

/** Pushes the manifest (or index) `digest` under `tag`. */
export async function pushImage(
  client: RegistryClient,
  repository: string,
  tag: string,
  digest: Digest,
  content: ContentStore,
  sources: BlobSources,
  options: PushOptions = {},
): Promise<PushResult> {
  const display = `${client.domain}/${repository}:${tag}`;
  const document = await readDocument(content, digest, display);
  await pushManifestTree(client, repository, document, content, sources, options);
  await putManifest(client, repository, tag, document);
  return { reference: display, digest: document.digest, size: document.bytes.length };
}
