/**
 * A scratch root filesystem for one build step: an overlay of the state's layers with a fresh
 * upper directory, as a container's rootfs is. What the step writes lands in the upper dir, which
 * then becomes the step's layer (an OCI changeset, deletions as whiteouts). For RUN an "init"
 * layer sits between the image and the upper dir holding the mount points the runtime needs
 * (/proc, /sys, /dev, /etc/hosts …), so they never end up in the image, as docker's init layer.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '../store/content-store.js';
import type { LayerStore } from '../store/layer-store.js';
import { mountRootfs, rootfsDirs, unmountRootfs, type RootfsDirs } from '../runtime/index.js';
import type { Digest } from '../util/index.js';
import type { BuildLayer } from './build-state.js';
import { commitUpperDir } from './layer-commit.js';

export interface LayerDeps {
  content: ContentStore;
  layers: LayerStore;
}

async function makeInitLayer(dir: string): Promise<void> {
  for (const sub of ['proc', 'sys', 'dev', 'etc']) await mkdir(join(dir, sub), { recursive: true, mode: 0o755 });
  for (const file of ['hostname', 'hosts', 'resolv.conf']) await writeFile(join(dir, 'etc', file), '', { mode: 0o644 });
}

export class BuildRootfs {
  private mounted = false;

  private constructor(
    readonly dir: string,
    readonly dirs: RootfsDirs,
    /** The image's layer dirs, top-most first (without the init layer). */
    readonly imageLowers: string[],
  ) {}

  /** Mounts the layers (`chains`, base first) with a fresh upper dir under `workParent`. */
  static async mount(
    workParent: string,
    layers: LayerStore,
    chains: Digest[],
    options: { init?: boolean } = {},
  ): Promise<BuildRootfs> {
    await mkdir(workParent, { recursive: true });
    const dir = await mkdtemp(join(workParent, 'step-'));
    const imageLowers = layers.lowerDirs(chains);
    const rootfs = new BuildRootfs(dir, rootfsDirs(dir), imageLowers);
    let lowers = imageLowers;
    if (options.init) {
      const init = join(dir, 'init');
      await makeInitLayer(init);
      lowers = [init, ...imageLowers];
    }
    try {
      await mountRootfs(rootfs.dirs, lowers);
      rootfs.mounted = true;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return rootfs;
  }

  get merged(): string {
    return this.dirs.merged;
  }

  /** True when the overlay is gone for good (see unmountRootfs), false after a lazy unmount. */
  async unmount(): Promise<boolean> {
    if (!this.mounted) return true;
    const detached = await unmountRootfs(this.dirs);
    this.mounted = false;
    return detached;
  }

  /**
   * Unmounts and stores the upper dir as a layer on top of `parentChain` (the dir itself moves
   * into the layer store); undefined when the step changed nothing (docker records such a step
   * as an empty layer).
   */
  async commit(deps: LayerDeps, parentChain: Digest | undefined): Promise<BuildLayer | undefined> {
    // The upper dir may move into the store only when no overlay can write to it any more: a plain
    // umount says so. If only the lazy one works (something still held the mount), the layer is
    // unpacked from its tar instead and the upper dir stays in the scratch space.
    const detached = await this.unmount();
    if ((await readdir(this.dirs.upper)).length === 0) return undefined;
    return commitUpperDir(deps, this.dirs.upper, this.imageLowers, parentChain, { move: detached });
  }

  /** Unmounts (if needed) and removes the scratch directories. */
  async dispose(): Promise<void> {
    await this.unmount().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
