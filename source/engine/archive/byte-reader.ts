/**
 * Pull-style reads of exact byte counts from a push-style stream, without copying chunks more
 * than needed. Operations run one at a time, in call order, so a body stream and the tar parser
 * skipping past it can share one reader safely.
 */
import type { Readable } from 'node:stream';

export class ByteReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private readonly iterator: AsyncIterator<unknown>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(source: Readable) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Runs `operation` after every earlier one finished. */
  serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const value = next.value;
    const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    return true;
  }

  private take(length: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= length) {
      this.buffered -= length;
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0] as Buffer;
      const count = Math.min(chunk.length, length - filled);
      chunk.copy(out, filled, 0, count);
      filled += count;
      if (count === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(count);
    }
    this.buffered -= length;
    return out;
  }

  /** Exactly `length` bytes, or fewer only when the stream ended first. */
  async readExact(length: number): Promise<Buffer> {
    while (this.buffered < length && (await this.fill()));
    return this.take(Math.min(length, this.buffered));
  }

  /** Between 1 and `max` bytes, or an empty buffer at the end of the stream. */
  async readSome(max: number): Promise<Buffer> {
    if (this.buffered === 0) while (this.buffered === 0 && (await this.fill()));
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    return this.take(Math.min(max, first.length));
  }

  /** Discards `length` bytes; returns how many were actually there. */
  async skip(length: number): Promise<number> {
    let skipped = 0;
    while (skipped < length) {
      const part = await this.readSome(length - skipped);
      if (part.length === 0) break;
      skipped += part.length;
    }
    return skipped;
  }

  /** Consumes the rest of the stream (so hashes of the whole stream see every byte). */
  async drain(): Promise<void> {
    this.chunks.length = 0;
    this.buffered = 0;
    while (await this.fill()) {
      this.chunks.length = 0;
      this.buffered = 0;
    }
  }

  /** Stops reading: the source is destroyed. */
  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
