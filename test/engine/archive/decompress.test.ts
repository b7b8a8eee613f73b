import test from 'ava';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  decompressStream,
  UnsupportedCompressionError,
  type Compression,
} from '../../../source/engine/archive/index.js';
import { collect, streamOf } from './tar-fixtures.js';

// Half random, half repetitive: big enough for several chunks, compressible enough to matter.
const payload = Buffer.concat([randomBytes(200_000), Buffer.alloc(300_000, 'berth ')]);

const cases: Array<[Compression, Buffer]> = [
  ['none', payload],
  ['gzip', gzipSync(payload)],
  ['xz', execFileSync('xz', ['-c', '-1'], { input: payload, maxBuffer: 1 << 24 })],
  ['bzip2', execFileSync('bzip2', ['-c', '-1'], { input: payload, maxBuffer: 1 << 24 })],
  ['zstd', execFileSync('zstd', ['-c', '-q'], { input: payload, maxBuffer: 1 << 24 })],
];

for (const [compression, data] of cases) {
  test(`detects and decompresses ${compression}`, async (t) => {
    // tiny chunks prove sniffing does not depend on chunk boundaries
    const result = await decompressStream(streamOf(data, 3));
    t.is(result.compression, compression);
    t.true((await collect(result.stream)).equals(payload));
  });
}

test('an empty stream is uncompressed and empty', async (t) => {
  const result = await decompressStream(streamOf(Buffer.alloc(0)));
  t.is(result.compression, 'none');
  t.is((await collect(result.stream)).length, 0);
});

test('corrupt gzip and xz data fail instead of ending early', async (t) => {
  const gz = Buffer.from(gzipSync(payload));
  const { stream } = await decompressStream(streamOf(gz.subarray(0, gz.length - 100)));
  await t.throwsAsync(collect(stream));
  const xz = execFileSync('xz', ['-c', '-1'], { input: payload, maxBuffer: 1 << 24 });
  const truncated = await decompressStream(streamOf(xz.subarray(0, xz.length - 50)));
  await t.throwsAsync(collect(truncated.stream), { message: /xz data is corrupt/ });
});

test.serial('a missing tool gives UnsupportedCompressionError naming it', async (t) => {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    await t.throwsAsync(decompressStream(streamOf(cases[4]?.[1] ?? Buffer.alloc(0))), {
      instanceOf: UnsupportedCompressionError,
      message: /install `zstd`/,
    });
  } finally {
    process.env.PATH = saved;
  }
});
