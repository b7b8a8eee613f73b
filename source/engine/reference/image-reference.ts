import type { AnyDigest } from '../oci/digest-format.js';

/**
 * A parsed image reference. After normalisation `domain` is always set (`docker.io` for Docker
 * Hub); a reference from the non-normalising `parseReference` may have an empty domain.
 */
export interface ImageReference {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  /** Any algorithm docker accepts (sha256, sha384, sha512); narrow with `isDigest` for the store. */
  readonly digest?: AnyDigest;
}

/** What `docker image inspect X` / `docker rmi X` accept: a name, or an image ID / digest alone. */
export type AnyReference =
  | { readonly kind: 'named'; readonly ref: ImageReference }
  | { readonly kind: 'digest'; readonly digest: AnyDigest };
