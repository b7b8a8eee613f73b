/** `import` of the busybox rootfs tar (2 MB, 400 entries) into a store, end to end through the CLI. */
import { rm } from 'node:fs/promises';
import { busyboxRootfsTar } from '../../fixtures/busybox.js';
import type { Workload } from '../run.js';
import { benchRoot, berthCli } from '../bench-images.js';
import { dockerCli, removeDockerImages } from '../bench-tools.js';

const RUNS = 7;

interface State {
  root: string;
  tar: string;
}

export const workload: Workload<State> = {
  name: 'import busybox rootfs',
  runs: RUNS,
  target: 1,
  async setup() {
    return { root: await benchRoot('import'), tar: await busyboxRootfsTar() };
  },
  async run({ root, tar }, i) {
    await berthCli(root, ['import', tar, `bench/import:${i}`]);
  },
  async docker({ tar }, i) {
    await dockerCli(['import', tar, `berth-bench/import:${i}`]);
  },
  async teardown({ root }) {
    await rm(root, { recursive: true, force: true });
    await removeDockerImages(Array.from({ length: RUNS }, (_, i) => `berth-bench/import:${i}`));
  },
};
