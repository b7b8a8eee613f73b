/** `save` of a 100 MB image to a docker archive; skopeo copies the same image out of berth's store. */
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workload } from '../run.js';
import { berthCli, bigImage } from '../bench-images.js';

type State = Awaited<ReturnType<typeof bigImage>>;

export const workload: Workload<State> = {
  name: 'save 100 MB image',
  runs: 5,
  setup: bigImage,
  async run({ root, work }, i) {
    await berthCli(root, ['save', '-o', join(work, `save-${i}.tar`), 'big:1']);
    await rm(join(work, `save-${i}.tar`));
  },
  async skopeo({ root, work }, i) {
    const out = join(work, `skopeo-${i}.tar`);
    await execa('skopeo', [
      'copy',
      '-q',
      `oci:${join(root, 'content')}:docker.io/library/big:1`,
      `docker-archive:${out}:big:1`,
    ]);
    await rm(out);
  },
  async teardown({ work }) {
    await rm(work, { recursive: true, force: true });
  },
};
