/**
 * `rmi` and `image prune` with docker's rules: removing by name untags, and deletes the image
 * when that was its last name; removing by id deletes it with all its names. An image a container
 * uses is refused unless forced, and even then it stays (untagged) while the container exists,
 * since the container still mounts its layers.
 */
import { ConflictError } from '../errors/index.js';
import type { EventLog } from '../events/index.js';
import { familiarString, referenceString, repositoryName, withDefaultTag } from '../reference/index.js';
import { shortId, type StoreLayout } from '../util/index.js';
import type { ImageIndexFile } from './image-index.js';
import { familiarTag, findImage, tagsOf } from './image-resolve.js';
import type { ImageIndexData, ImageRecord, RemoveLine } from './image-types.js';
import { type ContainerUsage, readContainerUsage } from './image-usage.js';

export interface RemoveOptions {
  force?: boolean;
  /** Keep untagged parent images (docker's --no-prune). */
  noPrune?: boolean;
}

interface RemoveDeps {
  layout: StoreLayout;
  events: EventLog;
}

export class ImageInUseError extends ConflictError {
  constructor(message: string) {
    super(message, 'IMAGE_IN_USE');
  }
}

function isActive(status: string): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}

function hasChildren(data: ImageIndexData, id: string): boolean {
  return Object.values(data.images).some((image) => image.parent === id);
}

class Removal {
  readonly lines: RemoveLine[] = [];
  readonly events: { action: string; id: string; name?: string }[] = [];

  constructor(
    private readonly data: ImageIndexData,
    private readonly containers: ContainerUsage[],
  ) {}

  users(id: string): ContainerUsage[] {
    return this.containers.filter((container) => container.imageId === id);
  }

  untag(full: string, id: string): void {
    delete this.data.tags[full];
    const name = familiarTag(full);
    this.lines.push({ untagged: name });
    this.events.push({ action: 'untag', id, name });
  }

  untagAll(record: ImageRecord): void {
    for (const tag of tagsOf(this.data, record.id)) this.untag(tag, record.id);
    for (const digested of record.repoDigests) this.lines.push({ untagged: familiarTag(digested) });
    record.repoDigests = [];
  }

  /** Deletes a record that has no names left, then its untagged parents unless `noPrune`. */
  delete(record: ImageRecord, noPrune: boolean): void {
    const { data } = this;
    delete data.images[record.id];
    for (const [digest, manifest] of Object.entries(data.manifests)) {
      if (manifest.imageId !== record.id) continue;
      delete data.manifests[digest];
      for (const [tag, target] of Object.entries(data.tags)) if (target === digest) delete data.tags[tag];
    }
    this.lines.push({ deleted: record.id });
    this.events.push({ action: 'delete', id: record.id });
    const parent = record.parent ? data.images[record.parent] : undefined;
    if (noPrune || !parent) return;
    if (
      tagsOf(data, parent.id).length === 0 &&
      !hasChildren(data, parent.id) &&
      this.users(parent.id).length === 0
    ) {
      this.delete(parent, noPrune);
    }
  }

  /** Deletes when nothing names or uses the image any more. */
  deleteIfUnnamed(record: ImageRecord, noPrune: boolean): void {
    const named = tagsOf(this.data, record.id).length > 0 || record.repoDigests.length > 0;
    if (named || hasChildren(this.data, record.id) || this.users(record.id).length > 0) return;
    this.delete(record, noPrune);
  }
}

async function emit(events: EventLog, removal: Removal): Promise<void> {
  for (const event of removal.events) {
    await events.append({
      kind: 'image',
      action: event.action,
      id: event.id,
      ...(event.name ? { attributes: { name: event.name } } : {}),
    });
  }
}

export async function removeImage(
  deps: RemoveDeps,
  index: ImageIndexFile,
  input: string,
  options: RemoveOptions,
): Promise<RemoveLine[]> {
  const containers = await readContainerUsage(deps.layout.containers);
  const noPrune = options.noPrune ?? false;
  const removal = await index.update((data) => {
    const removal = new Removal(data, containers);
    const { record, reference } = findImage(data, input);
    const short = shortId(record.id);
    const users = removal.users(record.id);
    if (reference) {
      // The last name by which a container's image is known may not go without --force.
      const remaining = tagsOf(data, record.id).length + (reference.digest ? record.repoDigests.length : 0);
      const [user] = users;
      if (remaining <= 1 && user && !options.force) {
        throw new ImageInUseError(
          `conflict: unable to remove repository reference "${input}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${short}`,
        );
      }
      if (reference.digest !== undefined) {
        const digested = `${repositoryName(reference)}@${reference.digest}`;
        record.repoDigests = record.repoDigests.filter((name) => name !== digested);
        removal.lines.push({ untagged: familiarString(reference) });
      } else {
        removal.untag(referenceString(withDefaultTag(reference)), record.id);
      }
      if (tagsOf(data, record.id).length === 0 && users.length === 0 && !hasChildren(data, record.id)) {
        removal.untagAll(record);
      }
      removal.deleteIfUnnamed(record, noPrune);
      return removal;
    }
    const running = users.find((user) => isActive(user.status));
    if (running) {
      throw new ImageInUseError(
        `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`,
      );
    }
    const [stopped] = users;
    if (stopped && !options.force) {
      throw new ImageInUseError(
        `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${stopped.id.slice(0, 12)}`,
      );
    }
    if (hasChildren(data, record.id)) {
      throw new ImageInUseError(
        `conflict: unable to delete ${short} (cannot be forced) - image has dependent child images`,
      );
    }
    const tags = tagsOf(data, record.id);
    const repositories = new Set(tags.map((tag) => tag.slice(0, tag.lastIndexOf(':'))));
    if (repositories.size > 1 && !options.force) {
      throw new ImageInUseError(
        `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    removal.untagAll(record);
    removal.deleteIfUnnamed(record, noPrune);
    return removal;
  });
  await emit(deps.events, removal);
  return removal.lines;
}

/** Deletes dangling images (or, with `all`, every image no container uses) until none is left. */
export async function pruneImages(
  deps: RemoveDeps,
  index: ImageIndexFile,
  options: { all?: boolean },
): Promise<RemoveLine[]> {
  const containers = await readContainerUsage(deps.layout.containers);
  const removal = await index.update((data) => {
    const removal = new Removal(data, containers);
    // Deleting a child can leave its parent dangling, so repeat until nothing changes.
    for (let changed = true; changed;) {
      changed = false;
      for (const record of Object.values(data.images)) {
        if (removal.users(record.id).length > 0 || hasChildren(data, record.id)) continue;
        if (!options.all && tagsOf(data, record.id).length > 0) continue;
        removal.untagAll(record);
        removal.delete(record, true);
        changed = true;
      }
    }
    return removal;
  });
  await emit(deps.events, removal);
  return removal.lines;
}
