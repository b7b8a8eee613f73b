/**
 * sha256 of bytes as they flow past, so a layer's diffID (digest of the uncompressed tar) comes
 * for free while the same bytes are being unpacked or stored.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback, type Readable } from 'node:stream';
import type { Digest } from '../util/index.js';

export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.bytes;
  }

  /** Digest of the bytes seen so far (final once the stream ended). */
  digest(): Digest {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }
}

export function hashingStream(): HashingStream {
  return new HashingStream();
}

/** Pipes `source` through a HashingStream and returns the pass-through side plus the hasher. */
export function hashed(source: Readable): { stream: Readable; hasher: HashingStream } {
  const hasher = new HashingStream();
  source.on('error', (error) => hasher.destroy(error));
  source.pipe(hasher);
  return { stream: hasher, hasher };
}

/** Digest and length of a whole stream. */
export async function digestStream(source: Readable): Promise<{ digest: Digest; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    size += buffer.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
