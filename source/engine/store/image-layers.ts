/**
 * Writing a new layer (import, commit, build): one pass over the tar stores it as a blob and
 * unpacks it into the layer store at the same time, and the two digests must agree.
 */
import { utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { decompressStream } from '../archive/index.js';
import { MediaType, type Descriptor, type ImageConfig, type ImageManifest } from '../oci/index.js';
import type { Digest } from '../util/index.js';
import type { ContentStore } from './content-store.js';
import type { LayerStore } from './layer-store.js';

export interface StoredLayer {
  descriptor: Descriptor;
  diffId: Digest;
  chainId: Digest;
  size: number;
}

/** Marks a reused layer as recently wanted, so a concurrent collection spares it. */
export async function touchLayer(layers: LayerStore, chainId: Digest): Promise<void> {
  const now = new Date();
  await utimes(dirname(layers.diffPath(chainId)), now, now).catch(() => undefined);
}

/** Stores `tar` (any compression; kept uncompressed) as a blob and as an unpacked layer. */
export async function storeLayerTar(
  content: ContentStore,
  layers: LayerStore,
  tar: Readable,
  parentChain?: Digest,
): Promise<StoredLayer> {
  const { stream } = await decompressStream(tar);
  const writer = content.writer();
  // The layer store attaches its reader only after some setup; a PassThrough holds the bytes
  // until then, and backpressure from either side pauses the source for both.
  const toLayer = new PassThrough({ highWaterMark: 1024 * 1024 });
  stream.on('error', (error) => {
    toLayer.destroy(error);
    writer.destroy(error);
  });
  stream.pipe(writer);
  stream.pipe(toLayer);
  const unpacking = layers.unpack(toLayer, parentChain).catch((error: unknown) => {
    // Stop feeding the blob too: an unsafe or broken layer is refused at once.
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  const [unpacked, written] = await Promise.allSettled([unpacking, finished(writer)]);
  if (unpacked.status === 'rejected' || written.status === 'rejected') {
    stream.destroy();
    await writer.abort();
    throw unpacked.status === 'rejected' ? unpacked.reason : (written as PromiseRejectedResult).reason;
  }
  const layer = unpacked.value;
  const blob = await writer.commit(layer.diffId);
  await touchLayer(layers, layer.chainId);
  return {
    descriptor: { mediaType: MediaType.ociLayerTar, digest: blob.digest, size: blob.size },
    diffId: layer.diffId,
    chainId: layer.chainId,
    size: layer.size,
  };
}

/** An OCI manifest for a config and its layer descriptors (base first). */
export function manifestFor(config: Descriptor, layers: Descriptor[]): ImageManifest {
  return { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers };
}

/** Serialises a config the way it is hashed: the bytes are the image ID's preimage. */
export function configBytes(config: ImageConfig): Buffer {
  return Buffer.from(JSON.stringify(config));
}

/** docker's architecture names for Node's. */
export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm: 'arm',
    arm64: 'arm64',
    ppc64: 'ppc64le',
  };
  return names[arch] ?? arch;
}
