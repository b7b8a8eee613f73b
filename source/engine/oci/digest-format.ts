/**
 * Digests of any algorithm, as the OCI image spec and go-digest define them. The content store
 * only holds sha256 (see util/digest.ts); this grammar is for what arrives from outside:
 * references, descriptors, registry headers.
 */

/** `algorithm:encoded`; sha256 digests (util/digest.ts `Digest`) are a subtype. */
export type AnyDigest = `${string}:${string}`;

/** image-spec descriptor.md: algorithm components joined by `+._-`, then `:` and the encoded part. */
export const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Algorithms docker can verify (go-digest with crypto/sha256 and crypto/sha512 linked in, as in
 * every docker binary), with the length of their lowercase hex encoding.
 */
const REGISTERED_ALGORITHMS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export type DigestProblem = 'format' | 'length' | 'unsupported';

export type DigestCheck =
  | { ok: true; digest: AnyDigest; algorithm: string; encoded: string }
  | { ok: false; problem: DigestProblem; message: string };

/** Like go-digest's Validate: the grammar, then the exact encoding of a registered algorithm. */
export function checkDigest(value: string): DigestCheck {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    return { ok: false, problem: 'format', message: 'invalid checksum digest format' };
  }
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  const length = REGISTERED_ALGORITHMS[algorithm];
  if (length === undefined) {
    if (!DIGEST_GRAMMAR.test(value)) {
      return { ok: false, problem: 'format', message: 'invalid checksum digest format' };
    }
    return { ok: false, problem: 'unsupported', message: `unsupported digest algorithm: ${algorithm}` };
  }
  if (encoded.length !== length) {
    return { ok: false, problem: 'length', message: 'invalid checksum digest length' };
  }
  if (!/^[a-f0-9]+$/.test(encoded)) {
    return { ok: false, problem: 'format', message: 'invalid checksum digest format' };
  }
  return { ok: true, digest: `${algorithm}:${encoded}`, algorithm, encoded };
}

/** A digest berth can verify (sha256/sha384/sha512 with exact lowercase hex). */
export function isVerifiableDigest(value: string): value is AnyDigest {
  return checkDigest(value).ok;
}

/**
 * What a descriptor may carry: every algorithm in the spec grammar, but a registered algorithm must
 * be encoded exactly (image-spec's own validator ignores unknown algorithms the same way).
 */
export function isDescriptorDigest(value: string): value is AnyDigest {
  const check = checkDigest(value);
  return check.ok || check.problem === 'unsupported';
}

/**
 * distribution-spec "Referrers Tag Schema": the tag a registry without the referrers API uses
 * to list artifacts pointing at `digest`. Algorithm cut to 32 characters, encoded part to 64,
 * anything a tag cannot hold replaced by `-`.
 */
export function referrersTag(digest: string): string {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon).slice(0, 32);
  const encoded = digest.slice(colon + 1).slice(0, 64);
  return `${algorithm}-${encoded}`.replace(/[^a-zA-Z0-9._-]/g, '-');
}
