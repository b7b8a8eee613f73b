/**
 * Unpacked layers, one directory per chain ID: <layers>/<chainhex>/diff (the tree, ready to be
 * an overlay lowerdir) and <layers>/<chainhex>/meta.json. A layer is unpacked into a private
 * directory under tmp/ and renamed into place whole, so a killed berth never leaves a
 * half-unpacked layer visible; removeLeftovers() sweeps what a dead process left in tmp/.
 */
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { NotFoundError } from '../errors/index.js';
import {
  type Digest,
  digestHex,
  isDigest,
  isProcessAlive,
  parseDigest,
  readJsonOr,
  withLock,
  writeJsonAtomic,
} from '../util/index.js';
import { HashingStream } from '../archive/index.js';
import { DigestMismatchError } from './content-store.js';
import { chainId } from './layer-chain.js';
import { unpackLayerTar } from './layer-unpack.js';

export { chainId, chainIds } from './layer-chain.js';
export { UnsafeLayerError } from './layer-unpack.js';
export { createLayerDiff, UnsupportedUpperDirError, whiteoutHidesSomething } from './layer-diff.js';

export interface LayerInfo {
  chainId: Digest;
  diffId: Digest;
  parent?: Digest;
  /** Bytes of regular-file content in the layer (what docker reports as a layer's size). */
  size: number;
  created: string;
}

/** Unpacking one big layer can take minutes; a second unpack of the same layer waits for it. */
const UNPACK_LOCK_TIMEOUT_MS = 60 * 60 * 1000;
const UNPACK_PREFIX = 'layer-unpack-';
const DELETE_PREFIX = 'layer-delete-';

async function drain(source: Readable): Promise<void> {
  for await (const _chunk of source);
}

/** The record of a new layer, as its meta.json holds it. */
function layerInfo(parent: Digest | undefined, diffId: Digest, size: number): LayerInfo {
  const info: LayerInfo = {
    chainId: chainId(parent, diffId),
    diffId,
    size,
    created: new Date().toISOString(),
  };
  if (parent) info.parent = parent;
  return info;
}

export class LayerStore {
  constructor(
    readonly layersDir: string,
    readonly tmpDir: string,
  ) {}

  private dir(chain: Digest): string {
    return join(this.layersDir, digestHex(parseDigest(chain)));
  }

  private lockPath(chain: Digest): string {
    return join(this.tmpDir, `layer-${digestHex(chain)}.lock`);
  }

  /** The unpacked tree of a layer (overlay-ready: whiteouts as 0/0 devices, opaque xattrs). */
  diffPath(chain: Digest): string {
    return join(this.dir(chain), 'diff');
  }

  async has(chain: Digest): Promise<boolean> {
    try {
      await access(join(this.dir(chain), 'meta.json'));
      return true;
    } catch {
      return false;
    }
  }

  async info(chain: Digest): Promise<LayerInfo> {
    const info = await readJsonOr<LayerInfo | undefined>(join(this.dir(chain), 'meta.json'), undefined);
    if (!info) throw new NotFoundError('layer', chain, 'LAYER_NOT_FOUND');
    return info;
  }

  async size(chain: Digest): Promise<number> {
    return (await this.info(chain)).size;
  }

  /**
   * Unpacks an uncompressed layer tar on top of `parent`. With `expectedDiffId` the chain ID is
   * known up front: an existing layer is reused (the stream is drained) and concurrent unpacks
   * of the same layer wait for each other. Without it the tar is unpacked first and dropped if
   * an identical layer turned up meanwhile.
   */
  async unpack(
    tar: Readable,
    parent: Digest | undefined,
    expectedDiffId?: Digest,
  ): Promise<{ diffId: Digest; chainId: Digest; size: number }> {
    if (expectedDiffId) {
      const chain = chainId(parent, parseDigest(expectedDiffId));
      return withLock(
        this.lockPath(chain),
        async () => {
          if (await this.has(chain)) {
            await drain(tar);
            return this.result(await this.info(chain));
          }
          return this.unpackNew(tar, parent, expectedDiffId, true);
        },
        UNPACK_LOCK_TIMEOUT_MS,
      );
    }
    return this.unpackNew(tar, parent, undefined, false);
  }

  private result(info: LayerInfo): { diffId: Digest; chainId: Digest; size: number } {
    return { diffId: info.diffId, chainId: info.chainId, size: info.size };
  }

  private async unpackNew(
    tar: Readable,
    parent: Digest | undefined,
    expectedDiffId: Digest | undefined,
    locked: boolean,
  ): Promise<{ diffId: Digest; chainId: Digest; size: number }> {
    const work = await this.newWorkDir();
    let placed = false;
    try {
      const diff = join(work, 'diff');
      await mkdir(diff, { mode: 0o755 });
      const hasher = new HashingStream();
      tar.on('error', (error) => hasher.destroy(error));
      tar.pipe(hasher);
      let size: number;
      try {
        ({ size } = await unpackLayerTar(hasher, diff));
      } catch (error) {
        tar.unpipe(hasher);
        tar.destroy();
        throw error;
      }
      const diffId = hasher.digest();
      if (expectedDiffId && diffId !== expectedDiffId)
        throw new DigestMismatchError(expectedDiffId, diffId, 'layer');
      const info = layerInfo(parent, diffId, size);
      const chain = info.chainId;
      const place = async (): Promise<LayerInfo> => {
        if (await this.has(chain)) return this.info(chain);
        await this.install(work, info);
        placed = true;
        return info;
      };
      const final = locked
        ? await place()
        : await withLock(this.lockPath(chain), place, UNPACK_LOCK_TIMEOUT_MS);
      return this.result(final);
    } finally {
      if (!placed) await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Takes `tree` as the layer `diffId` on top of `parent` by moving it into place, instead of
   * unpacking a tar of it again (a build step's upper dir, whose tar the caller has stored as
   * the blob). `tree` must be on the store's file system and already in the form unpack writes;
   * `size` is its regular-file bytes. When the layer exists already, `tree` is left where it is.
   */
  async adopt(
    tree: string,
    parent: Digest | undefined,
    diffId: Digest,
    size: number,
  ): Promise<{ diffId: Digest; chainId: Digest; size: number }> {
    const info = layerInfo(parent, parseDigest(diffId), size);
    return withLock(
      this.lockPath(info.chainId),
      async () => {
        if (await this.has(info.chainId)) return this.result(await this.info(info.chainId));
        const work = await this.newWorkDir();
        try {
          await rename(tree, join(work, 'diff'));
          await this.install(work, info);
          return this.result(info);
        } catch (error) {
          await rm(work, { recursive: true, force: true });
          throw error;
        }
      },
      UNPACK_LOCK_TIMEOUT_MS,
    );
  }

  /** A private directory under tmp/ to build a layer in (swept after a crash by its prefix). */
  private async newWorkDir(): Promise<string> {
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.layersDir, { recursive: true });
    return mkdtemp(join(this.tmpDir, `${UNPACK_PREFIX}${process.pid}-`));
  }

  /** Moves `work` (holding diff/) into place as the layer `info`; the caller holds its lock. */
  private async install(work: string, info: LayerInfo): Promise<void> {
    await writeJsonAtomic(join(work, 'meta.json'), info);
    // A directory without meta.json is never a layer (renames are whole): clear it.
    await rm(this.dir(info.chainId), { recursive: true, force: true });
    await rename(work, this.dir(info.chainId));
  }

  async list(): Promise<LayerInfo[]> {
    const names = await readdir(this.layersDir).catch(() => [] as string[]);
    const layers: LayerInfo[] = [];
    for (const name of names) {
      const chain = `sha256:${name}`;
      if (!isDigest(chain)) continue;
      const info = await readJsonOr<LayerInfo | undefined>(
        join(this.layersDir, name, 'meta.json'),
        undefined,
      );
      if (info) layers.push(info);
    }
    return layers;
  }

  /** Removes a layer; a no-op when it is not there. Callers make sure nothing mounts it. */
  async delete(chain: Digest): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    await withLock(
      this.lockPath(chain),
      async () => {
        // Rename first: the layer disappears at once, the slow removal happens out of sight.
        const doomed = join(
          this.tmpDir,
          `${DELETE_PREFIX}${process.pid}-${digestHex(chain).slice(0, 12)}-${Date.now()}`,
        );
        try {
          await rename(this.dir(chain), doomed);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw error;
        }
        await rm(doomed, { recursive: true, force: true });
      },
      UNPACK_LOCK_TIMEOUT_MS,
    );
  }

  /**
   * Deletes unpack/delete directories and layer locks whose process died, and layer directories
   * without meta.json; returns how many were removed.
   */
  async removeLeftovers(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      const path = join(this.tmpDir, name);
      let pid: number;
      const prefix = [UNPACK_PREFIX, DELETE_PREFIX].find((candidate) => name.startsWith(candidate));
      if (prefix) pid = Number.parseInt(name.slice(prefix.length), 10);
      else if (/^layer-[a-f0-9]{64}\.lock$/.test(name))
        pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      else continue;
      // A lock still empty may be between create and write: leave it to withLock's own checks.
      if (!Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
      await rm(path, { recursive: true, force: true });
      removed++;
    }
    for (const name of await readdir(this.layersDir).catch(() => [] as string[])) {
      const chain = `sha256:${name}`;
      if (isDigest(chain) && !(await this.has(chain))) {
        await rm(join(this.layersDir, name), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  /** overlayfs lowerdir order for layers given base first: the top-most layer comes first. */
  lowerDirs(chains: Digest[]): string[] {
    return chains.map((chain) => this.diffPath(chain)).reverse();
  }
}
