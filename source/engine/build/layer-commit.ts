/**
 * Turning a build step's upper dir into a layer without writing its files a second time. The
 * changeset tar is streamed into the content store (its digest is the diff id) and the upper dir
 * itself is moved into the layer store, where unpacking that tar would have created the same
 * tree again file by file. Creating and removing inodes is what a COPY of many small files
 * spends its time on, so this saves one create and one remove per file.
 *
 * Once its tar is stored, the tree is brought to the form unpacking that tar gives, so a layer
 * built here and the same layer pulled or loaded elsewhere look alike through a mount: times cut
 * to whole seconds (tar keeps no more), atime = mtime, and what the tar leaves out (whiteouts
 * that hide nothing below, sockets) removed. overlayfs' own origin/impure xattrs may stay on a
 * copied-up directory: overlayfs reads them only on upper dirs and hides them from listxattr.
 */
import { lstatSync, lutimesSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MediaType } from '../oci/index.js';
import { createLayerDiff, whiteoutHidesSomething } from '../store/layer-store.js';
import { touchLayer } from '../store/image-layers.js';
import type { Digest } from '../util/index.js';
import type { LayerDeps } from './build-rootfs.js';
import type { BuildLayer } from './build-state.js';

/**
 * Normalises `upper` (unmounted) in place as described above; returns its regular-file bytes,
 * each inode counted once, as the layer store counts a layer's size.
 */
export async function normaliseUpperDir(upper: string, lowers: string[]): Promise<number> {
  const seen = new Set<string>();
  let size = 0;
  const visit = async (rel: string): Promise<void> => {
    const dir = rel === '' ? upper : join(upper, rel);
    for (const name of readdirSync(dir)) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isCharacterDevice() && stat.rdev === 0) {
        // A whiteout: unpacking leaves its times alone, and drops it when it hides nothing.
        if (!(await whiteoutHidesSomething(lowers, childRel))) rmSync(path);
        continue;
      }
      if (stat.isSocket()) {
        rmSync(path);
        continue;
      }
      if (stat.isDirectory()) await visit(childRel);
      else if (stat.isFile()) {
        const inode = `${stat.dev}:${stat.ino}`;
        if (stat.nlink < 2 || !seen.has(inode)) size += stat.size;
        if (stat.nlink > 1) seen.add(inode);
      }
      // A directory after its children, with the time it had before any child was removed; the
      // seconds as the tar writer counts them.
      const seconds = Math.floor(stat.mtime.getTime() / 1000);
      lutimesSync(path, seconds, seconds);
    }
  };
  await visit('');
  return size;
}

/**
 * Stores `upper` (unmounted; `lowers` top-most first) as a layer on `parentChain`: the tar as a
 * blob, the tree moved into the layer store. With `move` false, or when the move cannot be done
 * (the scratch space on another file system), the blob is unpacked into the store instead.
 */
export async function commitUpperDir(
  deps: LayerDeps,
  upper: string,
  lowers: string[],
  parentChain: Digest | undefined,
  options: { move: boolean } = { move: true },
): Promise<BuildLayer> {
  const blob = await deps.content.putStream(createLayerDiff(upper, lowers));
  const descriptor = { mediaType: MediaType.ociLayerTar, digest: blob.digest, size: blob.size };
  let layer: { chainId: Digest; size: number } | undefined;
  if (options.move) {
    // After the tar was read: reading a body would move its atime again.
    const size = await normaliseUpperDir(upper, lowers);
    layer = await deps.layers.adopt(upper, parentChain, blob.digest, size).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') return undefined;
      throw error;
    });
  }
  layer ??= await deps.layers.unpack(deps.content.createReadStream(blob.digest), parentChain, blob.digest);
  await touchLayer(deps.layers, layer.chainId);
  return { descriptor, diffId: blob.digest, chainId: layer.chainId, size: layer.size };
}
