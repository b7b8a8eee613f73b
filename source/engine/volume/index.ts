/** Volumes: the local-driver store, mount flag parsing, mount planning, copy-up and safe targets. */
export * from './volume-errors.js';
export * from './mount-types.js';
export {
  isValidVolumeName,
  validateVolumeName,
  anonymousVolumeName,
  ANONYMOUS_LABEL,
} from './volume-name.js';
export * from './volume-store.js';
export { volumesUsage, volumeUsers, dataSize, type VolumeUsage, type VolumeUser } from './volume-usage.js';
export { volumeFilter } from './volume-filters.js';
export { parseVolumeFlag, parseVolumeMode } from './parse-volume-flag.js';
export { parseMountFlag, splitCsvRecord } from './parse-mount-flag.js';
export { parseMountRequest, parseTmpfsFlag, parseVolumesFromFlag } from './parse-mount-request.js';
export { planMounts, type PlanContext, type PlannedMounts } from './plan-mounts.js';
export { resolveMountTarget, type MountTarget } from './mount-target.js';
export { copyUp, type CopyUpResult } from './copy-up.js';
export {
  ociMounts,
  inspectMounts,
  anonymousVolumesOf,
  tmpfsHostConfig,
  type OciMountsOptions,
} from './oci-mounts.js';
export { resolveMounts, type ResolveContext, type ResolvedMounts } from './resolve-mounts.js';
