export { processWord, processWords, type ProcessWordResult } from './shell-expand.js';
export { type ShellOptions } from './shell-lexer.js';
export { type ShellEnv, toEnvMap } from './shell-env.js';
export { ShellExpansionError } from './shell-errors.js';
export { goTrimSpace, isGoSpace } from './go-text.js';
export { goQuote } from '../../util/go-quote.js';
