/**
 * Parsing image references the way docker does (distribution/reference v0.6): `parseReference`
 * is the raw grammar, `parseNormalizedReference` what every docker command applies to user input.
 */
import { checkDigest, type AnyDigest } from '../oci/digest-format.js';
import { referenceString } from './format-reference.js';
import type { AnyReference, ImageReference } from './image-reference.js';
import { InvalidReferenceError, type ReferenceProblem } from './reference-errors.js';
import {
  DEFAULT_DOMAIN,
  IDENTIFIER_REGEXP,
  LEGACY_DEFAULT_DOMAIN,
  NAME_MAX_LENGTH,
  NAME_REGEXP,
  OFFICIAL_REPO_PREFIX,
  REFERENCE_DIGEST_REGEXP,
  REFERENCE_REGEXP,
  TAG_REGEXP,
} from './reference-grammar.js';

function fail(problem: ReferenceProblem, input: string, message: string): never {
  throw new InvalidReferenceError(problem, input, message);
}

function formatError(input: string): never {
  return fail('format', input, `invalid reference format: ${JSON.stringify(input)}`);
}

function tooLongError(input: string): never {
  return fail('name-too-long', input, `repository name must not be more than ${NAME_MAX_LENGTH} characters`);
}

function parseReferenceDigest(input: string, value: string): AnyDigest {
  const check = checkDigest(value);
  if (check.ok) return check.digest;
  return fail(`digest-${check.problem}`, input, `${check.message}: ${value}`);
}

/** The reference grammar without normalisation: `busybox` stays `busybox`, with no domain. */
export function parseReference(input: string): ImageReference {
  const match = REFERENCE_REGEXP.exec(input);
  if (!match) {
    if (input === '') fail('name-empty', input, 'repository name must have at least one component');
    const lower = REFERENCE_REGEXP.exec(input.toLowerCase());
    if (lower) {
      const name = input.slice(0, (lower[1] ?? input).length);
      fail('name-uppercase', input, `invalid reference format: repository name (${name}) must be lowercase`);
    }
    formatError(input);
  }
  const [, name = '', tag, digest] = match;
  const split = NAME_REGEXP.exec(name);
  const domain = split?.[1] ?? '';
  const path = split?.[2] ?? name;
  if (path.length > NAME_MAX_LENGTH) tooLongError(input);
  return {
    domain,
    path,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest: parseReferenceDigest(input, digest) }),
  };
}

/** docker's splitDockerDomain: which first component counts as a registry host. */
function splitDockerDomain(input: string): { domain: string; remainder: string } {
  const slash = input.indexOf('/');
  const first = input.slice(0, slash);
  // localhost, a dot or colon (host, host:port, [v6]) or uppercase (paths are lowercase) mark a
  // host; a single component is always a Docker Hub name, even `localhost:5000` (a tag).
  const isHost =
    slash !== -1 && (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first);
  const domain = !isHost || first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
  const remainder = isHost ? input.slice(slash + 1) : input;
  // Official images live under library/ on Docker Hub only.
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) {
    return { domain, remainder: OFFICIAL_REPO_PREFIX + remainder };
  }
  return { domain, remainder };
}

/**
 * What docker does to every image name a user types: `busybox` → docker.io/library/busybox,
 * `index.docker.io/x` → docker.io/library/x. Adds no tag; see `withDefaultTag`.
 */
export function parseNormalizedReference(input: string): ImageReference {
  if (IDENTIFIER_REGEXP.test(input)) {
    fail('name-hex', input, `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    fail('name-uppercase', input, `invalid reference format: repository name (${remote}) must be lowercase`);
  }
  try {
    return parseReference(`${domain}/${remainder}`);
  } catch (error) {
    // Report the user's input, not the string we built from it.
    if (error instanceof InvalidReferenceError && error.problem === 'format') formatError(input);
    if (error instanceof InvalidReferenceError) fail(error.problem, input, error.message);
    throw error;
  }
}

/**
 * A reference that must already be in full form (`docker.io/library/foo`, not `foo`): for
 * places that store names, where a familiar name would be ambiguous.
 */
export function parseCanonicalReference(input: string): ImageReference {
  const ref = parseNormalizedReference(input);
  const full = referenceString(ref);
  if (full !== input)
    fail('name-not-canonical', input, `repository name must be canonical: ${input} (${full})`);
  return ref;
}

/** docker's ParseAnyReference: a full image ID (with or without `sha256:`) or a normalised name. */
export function parseAnyReference(input: string): AnyReference {
  if (IDENTIFIER_REGEXP.test(input)) return { kind: 'digest', digest: `sha256:${input}` };
  const check = checkDigest(input);
  if (check.ok) return { kind: 'digest', digest: check.digest };
  return { kind: 'named', ref: parseNormalizedReference(input) };
}

/** A repository name alone (no tag, no digest), split into domain and path without normalising. */
export function withName(name: string): ImageReference {
  const match = NAME_REGEXP.exec(name);
  if (!match) formatError(name);
  const path = match[2] ?? '';
  if (path.length > NAME_MAX_LENGTH) tooLongError(name);
  return { domain: match[1] ?? '', path };
}

/** `ref` with `tag` (checked against the tag grammar: 1-128 of [A-Za-z0-9_.-], not starting with . or -). */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!TAG_REGEXP.test(tag)) fail('tag-format', tag, `invalid tag format: ${JSON.stringify(tag)}`);
  return { ...ref, tag };
}

/**
 * `ref` pinned to `digest`. Like docker's WithDigest this checks the reference grammar only
 * (algorithm and at least 32 hex characters); parsing a string checks the encoding exactly.
 */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  if (!REFERENCE_DIGEST_REGEXP.test(digest)) {
    fail('digest-format', digest, `invalid checksum digest format: ${digest}`);
  }
  return { ...ref, digest: digest as AnyDigest };
}
