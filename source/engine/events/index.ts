export * from './event-types.js';
export * from './event-log.js';
