export { processWord, processWords, type ProcessWordResult } from './shell-expand.js';
export { type ShellOptions } from './shell-lexer.js';
export { type ShellEnv, toEnvMap } from './shell-env.js';
export { ShellExpansionError } from './shell-errors.js';
export { goQuote, goTrimSpace, isGoSpace } from './go-text.js';
