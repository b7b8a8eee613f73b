/** Stores the image workloads share: a seeded busybox root, and a 100 MB one-layer image saved once. */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createEngine } from '../../source/engine/index.js';
import { TarWriter } from '../../source/engine/archive/index.js';
import { seedBusybox } from '../fixtures/busybox.js';

export async function benchRoot(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `berth-bench-${label}-`));
}

export { berthCli } from './bench-tools.js';

/** A layer tar holding `megabytes` of random data in 10 MB files, streamed (never all in memory). */
function randomLayer(megabytes: number): Readable {
  const writer = new TarWriter();
  void (async () => {
    const file = 10 * 1024 * 1024;
    for (let i = 0; i * 10 < megabytes; i++) {
      await writer.add(
        { name: `data/${i}.bin`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: file, mtime: new Date(0) },
        randomBytes(file),
      );
    }
    await writer.finish();
  })();
  return writer.stream;
}

/** A root holding busybox plus `big:1` (busybox + 100 MB of random data), and its docker archive. */
export async function bigImage(): Promise<{ root: string; archive: string; work: string }> {
  const work = await benchRoot('big');
  const root = join(work, 'root');
  await seedBusybox(root);
  const engine = await createEngine({ root });
  await engine.images.createFromLayers({
    base: 'busybox',
    config: { architecture: 'amd64', os: 'linux' },
    layerTars: [randomLayer(100)],
    tags: ['big:1'],
  });
  const archive = join(work, 'big.tar');
  await engine.images.save(['big:1'], createWriteStream(archive));
  return { root, archive, work };
}
