/**
 * Decompression by content, not by file name: layers arrive as gzip (almost always), zstd
 * (newer images), and now and then xz or bzip2 (docker import, old archives). gzip uses
 * node:zlib; the others use the system tool through a pipe when it is installed.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PassThrough, Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BerthError } from '../errors/index.js';

export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'none';

export class UnsupportedCompressionError extends BerthError {
  constructor(compression: string, tool: string) {
    super('UNSUPPORTED_COMPRESSION', `cannot decompress ${compression} data: install \`${tool}\``, 125);
  }
}

export class DecompressionError extends BerthError {
  constructor(compression: string, detail: string) {
    super('DECOMPRESSION_FAILED', `${compression} data is corrupt: ${detail}`, 125);
  }
}

const TOOLS: Record<'bzip2' | 'xz' | 'zstd', string> = { bzip2: 'bzip2', xz: 'xz', zstd: 'zstd' };

export function sniffCompression(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  return 'none';
}

function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function throughTool(raw: Readable, compression: 'bzip2' | 'xz' | 'zstd'): Readable {
  const tool = findTool(TOOLS[compression]);
  if (!tool) throw new UnsupportedCompressionError(compression, TOOLS[compression]);
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  child.stdin.on('error', () => undefined); // the tool exiting early is reported through its status
  raw.on('error', (error) => {
    out.destroy(error);
    child.kill();
  });
  raw.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  // The output ends only once the tool said the data was whole, so a reader never mistakes a
  // truncated stream for a complete one.
  child.on('close', (code, signal) => {
    if (code === 0) out.end();
    else if (!out.destroyed)
      out.destroy(new DecompressionError(compression, stderr.trim() || `exit ${code ?? signal}`));
  });
  child.on('error', (error) => out.destroy(error));
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
    raw.destroy();
  });
  return out;
}

/** Looks at the first bytes of `source` and returns the decompressed stream. */
export async function decompressStream(
  source: Readable,
): Promise<{ stream: Readable; compression: Compression }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < 6) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headLength += next.value.length;
  }
  const first = Buffer.concat(head);
  const compression = sniffCompression(first);
  const raw = Readable.from(
    (async function* () {
      try {
        if (first.length > 0) yield first;
        while (!ended) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      } finally {
        await iterator.return?.();
      }
    })(),
    { objectMode: false },
  );
  switch (compression) {
    case 'none':
      return { stream: raw, compression };
    case 'gzip': {
      const gunzip = createGunzip();
      pipeline(raw, gunzip, () => undefined);
      return { stream: gunzip, compression };
    }
    default:
      return { stream: throughTool(raw, compression), compression };
  }
}
