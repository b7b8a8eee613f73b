/**
 * `load` of a 100 MB docker archive into an empty store; skopeo copies it into an OCI layout;
 * docker loads it into its store (removed again after each run, untimed, so every load unpacks).
 */
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workload } from '../run.js';
import { berthCli, bigImage } from '../bench-images.js';
import { dockerCli, removeDockerImages } from '../bench-tools.js';

type State = Awaited<ReturnType<typeof bigImage>>;

export const workload: Workload<State> = {
  name: 'load 100 MB image',
  runs: 5,
  target: 1,
  setup: bigImage,
  async run({ archive, work }, i) {
    await berthCli(join(work, `berth-${i}`), ['load', '-i', archive]);
  },
  async skopeo({ archive, work }, i) {
    await execa('skopeo', [
      'copy',
      '-q',
      `docker-archive:${archive}`,
      `oci:${join(work, `skopeo-${i}`)}:big`,
    ]);
  },
  async docker({ archive }) {
    await dockerCli(['load', '-q', '-i', archive]);
  },
  async afterRun({ work }, tool, i) {
    if (tool === 'docker') await removeDockerImages(['big:1']);
    else await rm(join(work, `${tool}-${i}`), { recursive: true, force: true });
  },
  async teardown({ work }) {
    await rm(work, { recursive: true, force: true });
    await removeDockerImages(['big:1']);
  },
};
