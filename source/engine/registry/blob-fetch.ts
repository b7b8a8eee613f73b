/**
 * Downloading blobs. A layer streams once: bytes from the registry go to a content-store writer
 * (hashed, committed only if the digest matches) and, in the same pass, through the
 * decompressor into LayerStore.unpack. A dropped connection resumes with `Range` where it
 * stopped; the unpack side is ended only after the blob verified, so a tampered blob never
 * yields a layer.
 */
import { PassThrough, type Writable } from 'node:stream';
import { decompressStream } from '../archive/index.js';
import { BerthError } from '../errors/index.js';
import type { Descriptor } from '../oci/image-types.js';
import { DigestMismatchError, type BlobWriter, type ContentStore } from '../store/content-store.js';
import type { LayerStore } from '../store/layer-store.js';
import { sha256, type Digest } from '../util/index.js';
import { blobPath } from './endpoints.js';
import { discardBody, readBody } from './http-transport.js';
import type { RegistryClient } from './registry-client.js';
import { RegistryUnavailableError } from './registry-errors.js';
import { isRetryableNetworkError, waitBeforeRetry } from './retry-policy.js';
import { repositoryScope } from './token-auth.js';
import { layerId, throttledBytes, type ProgressListener } from './transfer-progress.js';

/** Small blobs (configs) are read whole and verified. */
export async function fetchSmallBlob(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  limit = 16 * 1024 * 1024,
): Promise<Buffer> {
  const digest = descriptor.digest as Digest;
  const response = await client.request({
    method: 'GET',
    path: blobPath(repository, digest),
    scopes: [repositoryScope(repository, ['pull'])],
    expect: [200],
    context: { repository, reference: digest },
  });
  const bytes = await readBody(response, limit);
  const actual = sha256(bytes);
  if (actual !== digest) throw new DigestMismatchError(digest, actual, 'config');
  return bytes;
}

/** Resolves when `stream` can take more; a stream that closed resolves too (the caller checks). */
function write(stream: Writable, chunk: Buffer): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

function finish(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

export interface LayerFetch {
  descriptor: Descriptor;
  diffId: Digest;
  parentChain?: Digest;
  /** Unpack into the layer store too (false: the layer is there, only the blob is missing). */
  unpack: boolean;
}

/** Unpacks a layer whose blob the store already holds. */
export async function unpackLocalBlob(
  content: ContentStore,
  layers: LayerStore,
  fetch: LayerFetch,
): Promise<void> {
  const { stream } = await decompressStream(content.createReadStream(fetch.descriptor.digest as Digest));
  await layers.unpack(stream, fetch.parentChain, fetch.diffId);
}

class DownloadStalled extends Error {}

export async function downloadLayer(
  client: RegistryClient,
  repository: string,
  fetch: LayerFetch,
  stores: { content: ContentStore; layers: LayerStore },
  onProgress?: ProgressListener,
): Promise<void> {
  const digest = fetch.descriptor.digest as Digest;
  const size = fetch.descriptor.size;
  const id = layerId(digest);
  const report = throttledBytes(onProgress);
  const writer: BlobWriter = stores.content.writer();
  const compressed = fetch.unpack ? new PassThrough({ highWaterMark: 1 << 20 }) : undefined;
  let unpackError: unknown;
  const unpacking = compressed
    ? (async () => {
        const { stream } = await decompressStream(compressed);
        await stores.layers.unpack(stream, fetch.parentChain, fetch.diffId);
      })().catch((error: unknown) => {
        unpackError = error;
        compressed.destroy();
      })
    : undefined;
  let received = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      const response = await client.request({
        method: 'GET',
        path: blobPath(repository, digest),
        scopes: [repositoryScope(repository, ['pull'])],
        headers: received > 0 ? { Range: `bytes=${received}-` } : {},
        expect: [200, 206],
        context: { repository, reference: digest },
        onRetry: (reason) => onProgress?.({ type: 'layer', id, state: 'retrying', detail: reason }),
      });
      // A registry that ignores Range sends the whole blob again: skip what we have.
      let skip = received > 0 && response.status === 200 ? received : 0;
      try {
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          let data = chunk;
          if (skip > 0) {
            const dropped = Math.min(skip, data.length);
            data = data.subarray(dropped);
            skip -= dropped;
            if (data.length === 0) continue;
          }
          received += data.length;
          if (received > size) {
            discardBody(response);
            response.body.destroy();
            throw new DigestMismatchError(digest, `more than ${size} bytes`, 'layer');
          }
          await Promise.all([
            write(writer, data),
            compressed && unpackError === undefined ? write(compressed, data) : undefined,
          ]);
          report(id, 'downloading', received, size);
        }
        if (received < size) throw new DownloadStalled(`connection closed at ${received} of ${size} bytes`);
        break;
      } catch (error) {
        if (error instanceof BerthError) throw error;
        const retryable = error instanceof DownloadStalled || isRetryableNetworkError(error);
        if (!retryable || attempt >= client.retry.attempts) {
          throw new RegistryUnavailableError(
            `downloading layer ${id} from ${client.domain} failed after ${attempt} tries: ${(error as Error).message}`,
          );
        }
        onProgress?.({
          type: 'layer',
          id,
          state: 'retrying',
          current: received,
          total: size,
          detail: (error as Error).message,
        });
        await waitBeforeRetry(attempt, client.retry);
      }
    }
    onProgress?.({ type: 'layer', id, state: 'verifying', current: size, total: size });
    await finish(writer);
    // Throws DigestMismatchError for a tampered blob: checked before the layer may complete.
    await writer.commit(digest);
    if (compressed && unpacking) {
      onProgress?.({ type: 'layer', id, state: 'extracting', current: size, total: size });
      if (unpackError === undefined) compressed.end();
      await unpacking;
      if (unpackError !== undefined) throw unpackError;
    }
  } catch (error) {
    await writer.abort();
    if (compressed && !compressed.destroyed) compressed.destroy();
    await unpacking;
    throw error;
  }
}
