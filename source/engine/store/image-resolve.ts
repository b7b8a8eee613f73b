/**
 * docker's rules for finding an image from what a user typed: a full ID (with or without
 * `sha256:`), then a name (`busybox` → docker.io/library/busybox:latest, `name@sha256:…` by
 * manifest digest), then a unique ID prefix.
 */
import { BerthError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import {
  familiarString,
  InvalidReferenceError,
  isFullImageId,
  isIdLike,
  parseNormalizedReference,
  referenceString,
  repositoryName,
  withDefaultTag,
  type ImageReference,
} from '../reference/index.js';
import type { Digest } from '../util/index.js';
import type { ImageIndexData, ImageRecord } from './image-types.js';

export class ImageNotFoundError extends NotFoundError {
  constructor(name: string) {
    super('image', name, 'IMAGE_NOT_FOUND');
  }
}

export class AmbiguousImageError extends BerthError {
  constructor(prefix: string) {
    super('IMAGE_AMBIGUOUS', `multiple images found with id prefix ${prefix}: use more characters`, 1);
  }
}

export interface ImageMatch {
  record: ImageRecord;
  /** Set when the input named the image: the normalised reference it matched. */
  reference?: ImageReference;
}

/** A tag target as docker normalises it: full reference string and familiar form. */
export interface NormalizedTag {
  reference: ImageReference;
  full: string;
  familiar: string;
}

export function normalizeTag(input: string): NormalizedTag {
  const parsed = parseNormalizedReference(input);
  if (parsed.digest !== undefined) {
    throw new InvalidArgumentError(`refusing to create a tag with a digest reference: ${input}`);
  }
  const reference = withDefaultTag(parsed);
  return { reference, full: referenceString(reference), familiar: familiarString(reference) };
}

/** The image a name points to in `data`, or undefined. */
export function findByName(data: ImageIndexData, reference: ImageReference): ImageRecord | undefined {
  if (reference.digest !== undefined) {
    const manifest = data.manifests[reference.digest];
    const record = manifest ? data.images[manifest.imageId] : data.images[reference.digest];
    if (!record) return undefined;
    // A digest names the image only within a repository that holds it (docker's digested refs).
    const repository = repositoryName(reference);
    const inRepository =
      record.repoDigests.some((digested) => digested.startsWith(`${repository}@`)) ||
      Object.keys(data.tags).some(
        (tag) =>
          tag.startsWith(`${repository}:`) && data.manifests[data.tags[tag] ?? '']?.imageId === record.id,
      );
    return inRepository ? record : undefined;
  }
  const digest = data.tags[referenceString(withDefaultTag(reference))];
  const manifest = digest ? data.manifests[digest] : undefined;
  return manifest ? data.images[manifest.imageId] : undefined;
}

function displayName(input: string): string {
  try {
    return familiarString(withDefaultTag(parseNormalizedReference(input)));
  } catch {
    return input;
  }
}

export function findImage(data: ImageIndexData, input: string): ImageMatch {
  const text = input.trim();
  if (!text) throw new InvalidArgumentError('an image name or id is required');
  if (isFullImageId(text)) {
    const id = (text.startsWith('sha256:') ? text : `sha256:${text}`) as Digest;
    const record = data.images[id];
    if (!record) throw new ImageNotFoundError(text);
    return { record };
  }
  let reference: ImageReference | undefined;
  let parseError: unknown;
  try {
    reference = parseNormalizedReference(text);
  } catch (error) {
    parseError = error;
  }
  if (reference) {
    const record = findByName(data, reference);
    if (record) return { record, reference };
  }
  if (isIdLike(text)) {
    const prefix = text.replace(/^sha256:/, '');
    const matches = Object.values(data.images).filter((record) => record.id.slice(7).startsWith(prefix));
    if (matches.length > 1) throw new AmbiguousImageError(prefix);
    const [only] = matches;
    if (only) return { record: only };
  }
  if (parseError instanceof InvalidReferenceError) throw parseError;
  throw new ImageNotFoundError(displayName(text));
}

/** Full tags (docker.io/library/busybox:latest) that point at `id`. */
export function tagsOf(data: ImageIndexData, id: string): string[] {
  return Object.keys(data.tags)
    .filter((tag) => data.manifests[data.tags[tag] ?? '']?.imageId === id)
    .sort();
}

/** Familiar `name:tag` of a full tag. */
export function familiarTag(full: string): string {
  try {
    return familiarString(parseNormalizedReference(full));
  } catch {
    return full;
  }
}
