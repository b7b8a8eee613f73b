/**
 * Fetching manifests: all four current media types in Accept, bytes verified against the digest
 * asked for (or the registry's Docker-Content-Digest for a tag) before anything trusts them,
 * schema1 refused with a message saying what to do, and an index resolved to one platform.
 */
import { isDigest, sha256, type Digest } from '../util/index.js';
import { DigestMismatchError } from '../store/content-store.js';
import {
  isIndexMediaType,
  isManifestMediaType,
  isSchema1MediaType,
  MediaType,
  parseAnyManifest,
  PULLABLE_MANIFEST_TYPES,
  type ImageIndex,
  type ImageManifest,
} from '../oci/index.js';
import { manifestPath } from './endpoints.js';
import { header, readBody } from './http-transport.js';
import { formatPlatform, selectPlatform, type Platform } from './platform.js';
import type { RegistryClient } from './registry-client.js';
import { NoMatchingPlatformError, UnsupportedManifestError } from './registry-errors.js';
import { repositoryScope } from './token-auth.js';

const MANIFEST_LIMIT = 4 * 1024 * 1024;

export type ManifestDocument =
  | { kind: 'manifest'; digest: Digest; mediaType: string; bytes: Buffer; manifest: ImageManifest }
  | { kind: 'index'; digest: Digest; mediaType: string; bytes: Buffer; index: ImageIndex };

/** Classifies verified manifest bytes; `contentType` is the registry's header. */
export function parseManifestDocument(
  bytes: Buffer,
  digest: Digest,
  contentType: string | undefined,
  reference: string,
): ManifestDocument {
  const declared = contentType?.split(';')[0]?.trim();
  let schemaVersion: unknown;
  try {
    schemaVersion = (JSON.parse(bytes.toString('utf8')) as { schemaVersion?: unknown }).schemaVersion;
  } catch {
    // parseAnyManifest below reports unreadable JSON with its own message.
  }
  if (schemaVersion === 1 || (declared && isSchema1MediaType(declared))) {
    throw new UnsupportedManifestError(
      `${reference} uses the docker schema1 manifest format, which berth does not support; ` +
        'push it again with a current docker, podman or skopeo',
    );
  }
  // A registry may label a manifest application/json; the document's own type decides then.
  const known =
    declared && (isIndexMediaType(declared) || isManifestMediaType(declared)) ? declared : undefined;
  const parsed = parseAnyManifest(bytes, known);
  if (parsed.kind === 'index') {
    return {
      kind: 'index',
      digest,
      mediaType: parsed.index.mediaType ?? known ?? MediaType.ociIndex,
      bytes,
      index: parsed.index,
    };
  }
  for (const descriptor of [parsed.manifest.config, ...parsed.manifest.layers]) {
    if (!isDigest(descriptor.digest)) {
      throw new UnsupportedManifestError(
        `${reference} uses ${descriptor.digest.split(':')[0]} digests; berth stores sha256 only`,
      );
    }
  }
  const mediaType = parsed.manifest.mediaType ?? known ?? MediaType.ociManifest;
  return { kind: 'manifest', digest, mediaType, bytes, manifest: parsed.manifest };
}

/** GETs a manifest by tag or digest and verifies its bytes. */
export async function fetchManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  displayName: string,
): Promise<ManifestDocument> {
  const response = await client.request({
    method: 'GET',
    path: manifestPath(repository, reference),
    scopes: [repositoryScope(repository, ['pull'])],
    headers: { Accept: PULLABLE_MANIFEST_TYPES.join(', ') },
    expect: [200],
    context: { repository, reference },
  });
  const bytes = await readBody(response, MANIFEST_LIMIT);
  const digest = sha256(bytes);
  const expected = isDigest(reference) ? reference : header(response.headers, 'docker-content-digest');
  if (expected && isDigest(expected) && expected !== digest)
    throw new DigestMismatchError(expected, digest, 'manifest');
  return parseManifestDocument(bytes, digest, header(response.headers, 'content-type'), displayName);
}

/** Picks the index entry for `platform`, or says which platforms exist. */
export function resolvePlatform(index: ImageIndex, platform: Platform, reference: string) {
  const candidates = index.manifests.filter(
    (entry) => isManifestMediaType(entry.mediaType) || !entry.mediaType,
  );
  const chosen = selectPlatform(candidates, platform);
  if (!chosen || !isDigest(chosen.digest)) {
    const available = candidates.flatMap((entry) => (entry.platform ? [formatPlatform(entry.platform)] : []));
    throw new NoMatchingPlatformError(reference, formatPlatform(platform), available);
  }
  return chosen;
}
