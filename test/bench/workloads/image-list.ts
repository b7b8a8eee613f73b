/**
 * `images` with 200 images in the store (each busybox plus its own small layer); docker gets the
 * same 200 images through one `berth save` archive.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createEngine } from '../../../source/engine/index.js';
import { TarWriter } from '../../../source/engine/archive/index.js';
import { seedBusybox } from '../../fixtures/busybox.js';
import type { Workload } from '../run.js';
import { benchRoot, berthCli } from '../bench-images.js';
import { dockerCli, peerAvailable, removeDockerImages } from '../bench-tools.js';

const tags = Array.from({ length: 199 }, (_, index) => `bench/app${(index + 1) % 20}:v${index + 1}`);

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
  target: 1,
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
        tags: [tags[i - 1] ?? ''],
      });
    }
    if (peerAvailable('docker')) {
      const archive = join(root, 'all.tar');
      await berthCli(root, ['save', '-o', archive, ...tags]);
      await dockerCli(['load', '-q', '-i', archive]);
      await rm(archive);
    }
    return { root };
  },
  async run({ root }) {
    await berthCli(root, ['images']);
  },
  async docker() {
    await dockerCli(['images']);
  },
  async teardown({ root }) {
    await rm(root, { recursive: true, force: true });
    await removeDockerImages(tags);
  },
};
