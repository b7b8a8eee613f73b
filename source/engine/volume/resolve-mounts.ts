/**
 * One call for callers that have everything at hand (a mounted rootfs): plan the mounts (creating
 * volumes) and turn them into OCI mounts. The container runner uses the two halves separately:
 * planMounts at `create` (kept in the record), ociMounts at every `start`.
 */
import type { OciMount } from '../runtime/index.js';
import type { MountFlags, MountRequest } from './mount-types.js';
import { ociMounts } from './oci-mounts.js';
import { parseMountRequest } from './parse-mount-request.js';
import { planMounts, type PlanContext, type PlannedMounts } from './plan-mounts.js';

export interface ResolveContext extends PlanContext {
  /** The container's mounted rootfs; without it only the plan is made. */
  rootfs?: string;
  /** Copy-up into empty volumes (default true: a new container). */
  populate?: boolean;
}

export interface ResolvedMounts extends PlannedMounts {
  /** Present when `rootfs` was given. */
  oci?: OciMount[];
}

export async function resolveMounts(
  request: MountRequest | MountFlags,
  context: ResolveContext,
): Promise<ResolvedMounts> {
  // MountFlags has `mount` (raw strings), a parsed MountRequest has `mounts`.
  const parsed = 'mounts' in request ? request : parseMountRequest(request);
  const planned = await planMounts(parsed, context);
  if (context.rootfs === undefined) return planned;
  try {
    return {
      ...planned,
      oci: await ociMounts(planned.mounts, { rootfs: context.rootfs, populate: context.populate ?? true }),
    };
  } catch (error) {
    for (const name of planned.createdVolumes) await context.volumes.remove(name).catch(() => undefined);
    throw error;
  }
}
