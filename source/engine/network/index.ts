/** Network modes, /etc files, `-p` parsing, port display and the port forwarder. */
export * from './network-errors.js';
export * from './publish-spec.js';
export * from './port-format.js';
export * from './network-mode.js';
export * from './etc-files.js';
export * from './forwarder.js';
export * from './container-ports.js';
