/**
 * Uploading one blob: HEAD first (the registry may have it), then a cross-repository mount when
 * another repository of the same registry is known to hold it, else an upload session closed by
 * one monolithic PUT, falling back to PATCH chunks when a registry refuses the monolithic form.
 */
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import type { Descriptor } from '../oci/index.js';
import type { ContentStore } from '../store/content-store.js';
import type { Digest } from '../util/index.js';
import { blobPath, uploadCompleteUrl, uploadLocation, uploadStartPath } from './endpoints.js';
import { discardBody, header, type HttpResponse } from './http-transport.js';
import type { RegistryClient } from './registry-client.js';
import { RegistryError } from './registry-errors.js';
import { repositoryScope } from './token-auth.js';
import { layerId, throttledBytes, type LayerState, type ProgressListener } from './transfer-progress.js';

export type UploadMode = 'monolithic' | 'chunked';

export interface UploadOptions {
  mode?: UploadMode;
  /** Bytes per PATCH in chunked mode. */
  chunkSize?: number;
  /** Repositories on this registry known to hold the blob (for mounting). */
  mountFrom?: readonly string[];
  onProgress?: ProgressListener;
}

/** How the blob got there: already present, mounted, or uploaded. */
export type UploadOutcome = Extract<LayerState, 'exists' | 'mounted' | 'pushed'>;

function counting(source: Readable, onBytes: (bytes: number) => void): Readable {
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      onBytes(total);
      callback(null, chunk);
    },
  });
  source.on('error', (error) => counter.destroy(error));
  return source.pipe(counter);
}

function locationOf(response: HttpResponse, base: URL): URL {
  const location = header(response.headers, 'location');
  if (!location)
    throw new RegistryError('REGISTRY_BLOB_UPLOAD_INVALID', `registry ${base.host} sent no upload location`);
  return uploadLocation(response.url, location);
}

export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  content: ContentStore,
  options: UploadOptions = {},
): Promise<UploadOutcome> {
  const digest = descriptor.digest as Digest;
  const id = layerId(digest);
  const push = [repositoryScope(repository, ['pull', 'push'])];
  const context = { repository, reference: digest };
  const head = await client.request({
    method: 'HEAD',
    path: blobPath(repository, digest),
    scopes: push,
    expect: [200, 404],
    context,
  });
  discardBody(head);
  if (head.status === 200) return 'exists';

  let session: HttpResponse | undefined;
  for (const from of options.mountFrom ?? []) {
    const mounted = await client.request({
      method: 'POST',
      path: uploadStartPath(repository, { mount: digest, from }),
      scopes: [...push, repositoryScope(from, ['pull'])],
      expect: [201, 202],
      context,
    });
    discardBody(mounted);
    if (mounted.status === 201) return 'mounted';
    session = mounted; // 202: the registry could not mount and opened an upload instead
    break;
  }
  const base = await client.baseUrl();
  const start = async (): Promise<URL> => {
    const response = await client.request({
      method: 'POST',
      path: uploadStartPath(repository),
      scopes: push,
      expect: [202],
      context,
    });
    discardBody(response);
    return locationOf(response, base);
  };
  const report = throttledBytes(options.onProgress);
  const size = descriptor.size;

  if ((options.mode ?? 'monolithic') === 'monolithic') {
    const location = session ? locationOf(session, base) : await start();
    try {
      const response = await client.request({
        method: 'PUT',
        path: uploadCompleteUrl(location, digest),
        scopes: push,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
        body: () => counting(content.createReadStream(digest), (bytes) => report(id, 'pushing', bytes, size)),
        expect: [201],
        context,
      });
      discardBody(response);
      return 'pushed';
    } catch (error) {
      // Only a refusal of the monolithic form is worth the chunked fallback; auth and digest
      // errors would fail the same way again.
      const status = error instanceof RegistryError ? error.status : undefined;
      const refused = status !== undefined && [400, 405, 413, 416].includes(status);
      if (!refused || (error as RegistryError).registryCode === 'DIGEST_INVALID') throw error;
    }
  }
  return uploadChunked(client, repository, digest, size, content, await start(), options);
}

async function uploadChunked(
  client: RegistryClient,
  repository: string,
  digest: Digest,
  size: number,
  content: ContentStore,
  firstLocation: URL,
  options: UploadOptions,
): Promise<UploadOutcome> {
  const push = [repositoryScope(repository, ['pull', 'push'])];
  const context = { repository, reference: digest };
  const chunkSize = Math.max(1024, options.chunkSize ?? 16 * 1024 * 1024);
  const report = throttledBytes(options.onProgress);
  const base = await client.baseUrl();
  let location = firstLocation;
  for (let offset = 0; offset < size; offset += chunkSize) {
    const end = Math.min(size, offset + chunkSize) - 1;
    const response = await client.request({
      method: 'PATCH',
      path: location,
      scopes: push,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `${offset}-${end}`,
        'Content-Length': String(end - offset + 1),
      },
      body: () => createReadStream(content.path(digest), { start: offset, end }),
      expect: [202],
      context,
    });
    discardBody(response);
    location = locationOf(response, base);
    report(layerId(digest), 'pushing', end + 1, size);
  }
  const done = await client.request({
    method: 'PUT',
    path: uploadCompleteUrl(location, digest),
    scopes: push,
    expect: [201],
    context,
  });
  discardBody(done);
  return 'pushed';
}
