/** OCI image-spec and docker schema2 documents: types, media types and validating parsers. */
export * from './image-types.js';
export * from './media-types.js';
export { InvalidManifestError, type OciDocumentKind } from './oci-errors.js';
export {
  checkDigest,
  DIGEST_GRAMMAR,
  isDescriptorDigest,
  isVerifiableDigest,
  referrersTag,
  type AnyDigest,
  type DigestCheck,
  type DigestProblem,
} from './digest-format.js';
export { chainId, chainIds } from './identity.js';
export { parseDescriptor } from './parse-descriptor.js';
export {
  parseAnyManifest,
  parseImageLayout,
  parseIndex,
  parseManifest,
  type AnyManifest,
} from './parse-manifest.js';
export { parseImageConfig } from './parse-image-config.js';
