/**
 * `images`: one summary per image from the index alone (no blob reads, so listing hundreds of
 * images costs one file read), with docker's filters: dangling, reference (glob), before, since.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { familiarName, parseNormalizedReference } from '../reference/index.js';
import type { ImageIndexData, ImageRecord, ImageSummary } from './image-types.js';
import { familiarTag, findImage } from './image-resolve.js';
import { readContainerUsage } from './image-usage.js';
import type { StoreLayout } from '../util/index.js';

export interface ImageFilters {
  dangling?: boolean;
  /** Globs matched against `name` and `name:tag` (familiar), as docker's reference filter. */
  reference?: string[];
  /** Images created before / since the given image. */
  before?: string;
  since?: string;
}

export interface ListOptions {
  /** Include intermediate images (untagged parents of other images). */
  all?: boolean;
  /** Only dangling images (docker's `--filter dangling=true`). */
  danglingOnly?: boolean;
  filters?: ImageFilters;
}

/** Go's path.Match: `*` and `?` stop at `/`, `[…]` classes. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) throw new InvalidArgumentError(`invalid reference filter: ${pattern}`);
      const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
      source += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
      i = end;
    } else if (char === '\\' && i + 1 < pattern.length) source += `\\${pattern[++i] ?? ''}`;
    else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function createdMs(record: ImageRecord): number {
  const time = Date.parse(record.created || record.added);
  return Number.isNaN(time) ? 0 : time;
}

function matchesReference(tag: string, patterns: RegExp[]): boolean {
  const name = familiarName(parseNormalizedReference(tag));
  return patterns.some((pattern) => pattern.test(name) || pattern.test(familiarTag(tag)));
}

export async function listImages(
  layout: { layout: StoreLayout },
  data: ImageIndexData,
  options: ListOptions,
): Promise<ImageSummary[]> {
  const containers = await readContainerUsage(layout.layout.containers);
  const parents = new Set(Object.values(data.images).map((image) => image.parent));
  const filters = options.filters ?? {};
  const dangling = options.danglingOnly ? true : filters.dangling;
  const patterns = (filters.reference ?? []).map(globToRegExp);
  const before = filters.before ? createdMs(findImage(data, filters.before).record) : undefined;
  const since = filters.since ? createdMs(findImage(data, filters.since).record) : undefined;
  const tagsById = new Map<string, string[]>();
  for (const [tag, manifest] of Object.entries(data.tags).sort(([a], [b]) => a.localeCompare(b))) {
    const id = data.manifests[manifest]?.imageId;
    if (id) tagsById.set(id, [...(tagsById.get(id) ?? []), tag]);
  }
  const summaries: ImageSummary[] = [];
  for (const record of Object.values(data.images)) {
    const allTags = tagsById.get(record.id) ?? [];
    const untagged = allTags.length === 0;
    // As docker: a reference filter keeps the image and shows only the names that matched.
    const tags = patterns.length > 0 ? allTags.filter((tag) => matchesReference(tag, patterns)) : allTags;
    const intermediate = untagged && parents.has(record.id);
    const isDangling = untagged && !intermediate;
    if (intermediate && !options.all) continue;
    if (dangling !== undefined && isDangling !== dangling) continue;
    if (patterns.length > 0 && tags.length === 0) continue;
    if (before !== undefined && createdMs(record) >= before) continue;
    if (since !== undefined && createdMs(record) <= since) continue;
    summaries.push({
      id: record.id,
      repoTags: tags.map(familiarTag),
      repoDigests: record.repoDigests.map(familiarTag),
      created: record.created || record.added,
      size: record.size,
      containers: containers.filter((container) => container.imageId === record.id).length,
      dangling: isDangling,
      intermediate,
      ...(record.parent ? { parent: record.parent } : {}),
    });
  }
  return summaries.sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || a.id.localeCompare(b.id));
}
