/**
 * `save` of a 100 MB image to a docker archive; skopeo copies the same image out of berth's store;
 * docker saves the same image (loaded from berth's archive) from its own store.
 */
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workload } from '../run.js';
import { berthCli, bigImage } from '../bench-images.js';
import { dockerCli, peerAvailable, removeDockerImages } from '../bench-tools.js';

type State = Awaited<ReturnType<typeof bigImage>>;

const output = (work: string, tool: string, i: number): string => join(work, `${tool}-${i}.tar`);

export const workload: Workload<State> = {
  name: 'save 100 MB image',
  runs: 5,
  target: 1,
  async setup() {
    const state = await bigImage();
    if (peerAvailable('docker')) await dockerCli(['load', '-q', '-i', state.archive]);
    return state;
  },
  async run({ root, work }, i) {
    await berthCli(root, ['save', '-o', output(work, 'berth', i), 'big:1']);
  },
  async skopeo({ root, work }, i) {
    await execa('skopeo', [
      'copy',
      '-q',
      `oci:${join(root, 'content')}:docker.io/library/big:1`,
      `docker-archive:${output(work, 'skopeo', i)}:big:1`,
    ]);
  },
  async docker({ work }, i) {
    await dockerCli(['save', '-o', output(work, 'docker', i), 'big:1']);
  },
  async afterRun({ work }, tool, i) {
    await rm(output(work, tool, i), { force: true });
  },
  async teardown({ work }) {
    await rm(work, { recursive: true, force: true });
    await removeDockerImages(['big:1']);
  },
};
