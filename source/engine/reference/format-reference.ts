/** Turning references back into the strings docker shows, and docker's small rewrites of them. */
import type { ImageReference } from './image-reference.js';
import { DEFAULT_DOMAIN, DEFAULT_TAG, IDENTIFIER_REGEXP, OFFICIAL_REPO_PREFIX } from './reference-grammar.js';

/** `domain/path`, the repository a registry serves (`docker.io/library/busybox`). */
export function repositoryName(ref: ImageReference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

function suffix(ref: ImageReference): string {
  return `${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The full form: `docker.io/library/busybox:latest@sha256:…`. */
export function referenceString(ref: ImageReference): string {
  return repositoryName(ref) + suffix(ref);
}

/**
 * The short name docker prints: Docker Hub's domain dropped, and `library/` dropped for official
 * images (`busybox`, `jess/t`, `library/foo/bar`, `localhost:5000/x`).
 */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** `busybox:latest`, `localhost:5000/x:1`, `busybox@sha256:…` (what `docker images` shows). */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + suffix(ref);
}

/** Adds `:latest` when the reference names neither a tag nor a digest (docker's TagNameOnly). */
export function withDefaultTag(ref: ImageReference): ImageReference {
  if (ref.tag !== undefined || ref.digest !== undefined) return ref;
  return { ...ref, tag: DEFAULT_TAG };
}

/**
 * What docker pulls for a reference (ParseDockerRef): a digest wins over a tag given with it
 * (`busybox:1@sha256:…` pulls by digest), otherwise the tag, defaulting to `latest`.
 */
export function pullReference(ref: ImageReference): ImageReference {
  if (ref.digest !== undefined && ref.tag !== undefined) {
    return { domain: ref.domain, path: ref.path, digest: ref.digest };
  }
  return withDefaultTag(ref);
}

/** A full image ID: 64 lowercase hex characters, with or without `sha256:`. */
export function isFullImageId(value: string): boolean {
  return IDENTIFIER_REGEXP.test(value.startsWith('sha256:') ? value.slice(7) : value);
}

/**
 * Could be an image or container ID or a prefix of one (`3f2a`, `sha256:3f2a…`). Such strings may
 * also be valid names (`dbcc1`); docker tries the name first, then the ID prefix.
 */
export function isIdLike(value: string): boolean {
  return /^(?:sha256:)?[a-f0-9]{1,64}$/.test(value);
}
