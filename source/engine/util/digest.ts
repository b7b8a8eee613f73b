/** sha256 digests in OCI form (`sha256:<64 hex>`), for bytes and for streams. */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors/index.js';

export type Digest = `sha256:${string}`;

const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: string): value is Digest {
  return DIGEST_PATTERN.test(value);
}

export function parseDigest(value: string): Digest {
  if (!isDigest(value)) throw new InvalidArgumentError(`invalid digest: ${value}`);
  return value;
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part of a digest, used as a file name under blobs/sha256/. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** docker's short id: the first 12 hex characters. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
