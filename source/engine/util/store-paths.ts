/**
 * Where the store lives: `--root`, then BERTH_ROOT, then /var/lib/berth for root and
 * $XDG_DATA_HOME/berth (or ~/.local/share/berth) for everybody else, as podman does.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_ROOT) return resolve(env.BERTH_ROOT);
  if (process.getuid?.() === 0) return '/var/lib/berth';
  const dataHome = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'berth');
}

/** The fixed layout under the root; every module asks here instead of joining its own paths. */
export function storeLayout(root: string) {
  return {
    root,
    /** OCI image layout: oci-layout, index.json, blobs/sha256/<hex>. */
    content: join(root, 'content'),
    /** Unpacked layers, one directory per chain id: layers/<hex>/diff. */
    layers: join(root, 'layers'),
    /** Image records and tags (repositories.json), guarded by locks/images.lock. */
    images: join(root, 'images'),
    containers: join(root, 'containers'),
    volumes: join(root, 'volumes'),
    locks: join(root, 'locks'),
    /** Scratch space on the same filesystem as the store, so renames stay atomic. */
    tmp: join(root, 'tmp'),
    events: join(root, 'events.jsonl'),
    config: join(root, 'config.json'),
  };
}

export type StoreLayout = ReturnType<typeof storeLayout>;
