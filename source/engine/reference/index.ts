/** Image references: docker's grammar, normalisation and display forms. */
export type { AnyReference, ImageReference } from './image-reference.js';
export { InvalidReferenceError, type ReferenceProblem } from './reference-errors.js';
export {
  parseAnyReference,
  parseCanonicalReference,
  parseNormalizedReference,
  parseReference,
  withDigest,
  withName,
  withTag,
} from './parse-reference.js';
export {
  familiarName,
  familiarString,
  isFullImageId,
  isIdLike,
  pullReference,
  referenceString,
  repositoryName,
  withDefaultTag,
} from './format-reference.js';
export { DEFAULT_DOMAIN, DEFAULT_TAG, NAME_MAX_LENGTH } from './reference-grammar.js';
