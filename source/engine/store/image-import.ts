/**
 * `import`: a root filesystem tar (plain, gzip, bzip2, xz or zstd) becomes a one-layer image, as
 * `docker import` makes it: a fresh config for this machine's platform, the `-c` changes applied,
 * and one history entry whose comment says where the tar came from.
 */
import type { Readable } from 'node:stream';
import type { ImageConfig } from '../oci/index.js';
import { applyChanges } from './image-changes.js';
import { goArch } from './image-layers.js';
import { normalizeTag } from './image-resolve.js';
import type { ImageStore } from './image-store.js';
import type { ImageRecord } from './image-types.js';

export interface ImportOptions {
  /** Name for the new image (`busybox`, `busybox:1`); untagged when omitted. */
  ref?: string;
  /** Dockerfile instructions to apply to the config (`CMD ["sh"]`, `ENV A=b`). */
  changes?: string[];
  /** Commit message, shown as the history comment. */
  message?: string;
  /** Where the tar came from (`-` for stdin, a file name), for the default comment. */
  source?: string;
  platform?: { os: string; architecture: string; variant?: string };
}

export async function importRootfs(
  store: ImageStore,
  tar: Readable,
  options: ImportOptions = {},
): Promise<ImageRecord> {
  // Check the name and changes before reading a possibly huge tar.
  const tag = options.ref ? normalizeTag(options.ref) : undefined;
  const runConfig = applyChanges({}, options.changes ?? []);
  const created = new Date().toISOString();
  const config: Omit<ImageConfig, 'rootfs'> = {
    created,
    architecture: options.platform?.architecture ?? goArch(),
    ...(options.platform?.variant ? { variant: options.platform.variant } : {}),
    os: options.platform?.os ?? 'linux',
    config: runConfig,
    history: [{ created, comment: options.message || `Imported from ${options.source ?? '-'}` }],
  };
  const record = await store.createFromLayers({ config, layerTars: [tar], tags: tag ? [tag.full] : [] });
  await store.deps.events.append({
    kind: 'image',
    action: 'import',
    id: record.id,
    ...(tag ? { attributes: { name: tag.familiar } } : {}),
  });
  return record;
}
