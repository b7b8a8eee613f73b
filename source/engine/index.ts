/** The engine's public face: faces import from here and nowhere deeper. */
export * from './engine.js';
export * from './errors/index.js';
export * from './events/index.js';
export type { Digest } from './util/digest.js';
export * from './reference/index.js';
export * from './oci/index.js';
export * from './store/index.js';
export * from './volume/index.js';
export * from './network/index.js';
export * from './build/index.js';
