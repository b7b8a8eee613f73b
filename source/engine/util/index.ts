export * from './atomic-file.js';
export * from './file-lock.js';
export * from './digest.js';
export * from './store-paths.js';
export * from './package-root.js';
export * from './process-alive.js';
