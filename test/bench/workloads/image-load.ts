/** `load` of a 100 MB docker archive into an empty store; skopeo copies it into an OCI layout. */
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workload } from '../run.js';
import { berthCli, bigImage } from '../bench-images.js';

type State = Awaited<ReturnType<typeof bigImage>>;

export const workload: Workload<State> = {
  name: 'load 100 MB image',
  runs: 5,
  setup: bigImage,
  async run({ archive, work }, i) {
    const root = join(work, `load-${i}`);
    await berthCli(root, ['load', '-i', archive]);
    await rm(root, { recursive: true, force: true });
  },
  async skopeo({ archive, work }, i) {
    const layout = join(work, `skopeo-${i}`);
    await execa('skopeo', ['copy', '-q', `docker-archive:${archive}`, `oci:${layout}:big`]);
    await rm(layout, { recursive: true, force: true });
  },
  async docker({ archive }) {
    await execa('docker', ['load', '-q', '-i', archive]);
  },
  async teardown({ work }) {
    await rm(work, { recursive: true, force: true });
  },
};
