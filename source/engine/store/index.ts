/** The store's public face: blobs, layers, images, garbage collection and disk usage. */
export { ContentStore, DigestMismatchError, BlobWriter } from './content-store.js';
export { LayerStore, createLayerDiff, UnsafeLayerError, type LayerInfo } from './layer-store.js';
export {
  ImageStore,
  type CommitImageOptions,
  type CreateImageOptions,
  type ImageStoreDeps,
} from './image-store.js';
export type { ImportOptions } from './image-import.js';
export type { ImageFilters, ListOptions } from './image-list.js';
export type { RemoveOptions } from './image-remove.js';
export { ImageInUseError } from './image-remove.js';
export { ImageNotFoundError, AmbiguousImageError, normalizeTag } from './image-resolve.js';
export { InvalidArchiveError } from './image-load-plan.js';
export { applyChanges } from './image-changes.js';
export { withLease, type Lease } from './image-lease.js';
export type { GcResult } from './store-gc.js';
export type { DfContainer, DfImage, DfVolume, SystemDf } from './system-df.js';
export type * from './image-types.js';
