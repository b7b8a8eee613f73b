/** `images` with 200 images in the store (each busybox plus its own small layer). */
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createEngine } from '../../../source/engine/index.js';
import { TarWriter } from '../../../source/engine/archive/index.js';
import { seedBusybox } from '../../fixtures/busybox.js';
import type { Workload } from '../run.js';
import { benchRoot, berthCli } from '../bench-images.js';

function smallLayer(i: number): Readable {
  const writer = new TarWriter();
  const body = Buffer.from(`image ${i}\n`);
  void writer
    .add(
      {
        name: `etc/bench-${i}`,
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: body.length,
        mtime: new Date(0),
      },
      body,
    )
    .then(() => writer.finish());
  return writer.stream;
}

export const workload: Workload<{ root: string }> = {
  name: 'images (200 images)',
  runs: 9,
  async setup() {
    const root = await benchRoot('images');
    await seedBusybox(root);
    const engine = await createEngine({ root });
    for (let i = 1; i < 200; i++) {
      await engine.images.createFromLayers({
        base: 'busybox',
        config: {
          architecture: 'amd64',
          os: 'linux',
          created: new Date(Date.now() - i * 1000).toISOString(),
        },
        layerTars: [smallLayer(i)],
        tags: [`bench/app${i % 20}:v${i}`],
      });
    }
    return { root };
  },
  async run({ root }) {
    await berthCli(root, ['images']);
  },
  async teardown({ root }) {
    await rm(root, { recursive: true, force: true });
  },
};
