export * from './berth-error.js';
