/**
 * Streaming tar writer. Entries go out as ustar blocks, preceded by a pax record block when a
 * value does not fit (long or non-ASCII names, big sizes or ids, xattrs). Output depends only on
 * the headers and bodies given: no clock, no pid, sorted pax keys, directories named with a
 * trailing slash, times truncated to seconds, two zero blocks at the end (as Go's archive/tar).
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { InvalidArgumentError } from '../errors/index.js';
import {
  type TarHeader,
  encodeBlock,
  encodePax,
  paddingFor,
  paxRecordsFor,
  typeflagFor,
} from './tar-header.js';

const ZERO = Buffer.alloc(1024);

function paxHeaderName(name: string): string {
  const base = name.replace(/\/+$/, '').split('/').pop() ?? 'entry';
  return `PaxHeaders.0/${base}`.slice(0, 99);
}

export class TarWriter {
  private readonly output = new PassThrough({ highWaterMark: 256 * 1024 });
  private queue: Promise<void> = Promise.resolve();
  private finished = false;

  /** The archive bytes; read it (or pipe it) while adding entries, or add() will wait. */
  get stream(): Readable {
    return this.output;
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.output.destroyed) throw new InvalidArgumentError('tar output stream was closed');
    if (!this.output.write(chunk)) {
      // One abort signal cancels whichever of the two waits loses, so no listener is left behind
      // (many large entries would otherwise pile up 'close' listeners).
      const settled = new AbortController();
      try {
        await Promise.race([
          once(this.output, 'drain', { signal: settled.signal }),
          once(this.output, 'close', { signal: settled.signal }),
        ]);
      } finally {
        settled.abort();
      }
    }
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const result = this.queue.then(step);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Adds one entry; `body` must hold exactly `header.size` bytes for regular files. */
  add(header: TarHeader, body?: Buffer | Readable): Promise<void> {
    return this.serial(async () => {
      if (this.finished) throw new InvalidArgumentError('tar writer already finished');
      const size = header.type === 'file' ? header.size : 0;
      let name = header.name;
      if (header.type === 'dir' && !name.endsWith('/')) name += '/';
      const records = paxRecordsFor({ ...header, size }, name);
      const mtime = Math.floor(header.mtime.getTime() / 1000);
      const common = {
        mode: header.mode & 0o7777,
        uid: header.uid,
        gid: header.gid,
        mtime,
        uname: header.uname ?? '',
        gname: header.gname ?? '',
        devmajor: header.devmajor ?? 0,
        devminor: header.devminor ?? 0,
      };
      if (records.size > 0) {
        const pax = encodePax(records);
        await this.write(
          encodeBlock({
            ...common,
            name: paxHeaderName(name),
            size: pax.length,
            typeflag: 'x',
            linkname: '',
          }),
        );
        await this.write(pax);
        await this.write(ZERO.subarray(0, paddingFor(pax.length)));
      }
      await this.write(
        encodeBlock({
          ...common,
          name,
          size,
          typeflag: typeflagFor(header.type),
          linkname: header.linkname ?? '',
        }),
      );
      if (size > 0 || body) await this.writeBody(name, size, body);
    });
  }

  private async writeBody(name: string, size: number, body: Buffer | Readable | undefined): Promise<void> {
    let written = 0;
    if (Buffer.isBuffer(body)) {
      written = body.length;
      if (written === size) await this.write(body);
    } else if (body) {
      for await (const chunk of body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        written += buffer.length;
        if (written > size) break;
        await this.write(buffer);
      }
    }
    if (written !== size) {
      const error = new InvalidArgumentError(
        `tar entry ${name}: body has ${written} bytes, header says ${size}`,
      );
      this.output.destroy(error);
      throw error;
    }
    await this.write(ZERO.subarray(0, paddingFor(size)));
  }

  /** Writes the end-of-archive marker and ends the stream. */
  finish(): Promise<void> {
    return this.serial(async () => {
      if (this.finished) return;
      this.finished = true;
      await this.write(ZERO);
      this.output.end();
    });
  }

  /** Aborts the archive: readers of `stream` see `error`. */
  destroy(error?: Error): void {
    this.finished = true;
    this.output.destroy(error);
  }
}
