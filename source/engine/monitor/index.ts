export * from './json-file-log.js';
export * from './attach-client.js';
export * from './monitor-launcher.js';
