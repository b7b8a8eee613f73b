import { goQuote } from '../../util/go-quote.js';
import { toEnvMap, type ShellEnv } from './shell-env.js';
import { ShellExpansionError } from './shell-errors.js';
import { LexFailure, ShellWord, type ExpansionOutcome, type ShellOptions } from './shell-lexer.js';
import { ShellPatternError } from './shell-pattern.js';

export interface ProcessWordResult {
  /** The expanded word with quotes and escapes removed (spaces between fields kept). */
  readonly result: string;
  /** Names referenced and set (even if set to the empty string). */
  readonly matched: Set<string>;
  /** Names referenced but not set: what docker's linter reports as undefined. */
  readonly unmatched: Set<string>;
}

function expand(word: string, env: ShellEnv | undefined, options: ShellOptions): ExpansionOutcome {
  try {
    return new ShellWord(word, toEnvMap(env), options).run();
  } catch (error) {
    if (error instanceof LexFailure || error instanceof ShellPatternError) {
      throw new ShellExpansionError(word, error.message, goQuote(word));
    }
    throw error;
  }
}

/**
 * Expands one word as BuildKit's ProcessWord does (FROM, COPY, ENV values, WORKDIR, …).
 * Throws ShellExpansionError for syntax errors, unsupported modifiers and failed `${v?msg}`.
 */
export function processWord(word: string, env?: ShellEnv, options: ShellOptions = {}): ProcessWordResult {
  const { result, matched, unmatched } = expand(word, env, options);
  return { result, matched, unmatched };
}

/**
 * Expands and splits into fields as BuildKit's ProcessWords does: unquoted whitespace (including
 * whitespace that comes out of an unquoted expansion) separates fields, quoted text does not.
 */
export function processWords(word: string, env?: ShellEnv, options: ShellOptions = {}): string[] {
  return expand(word, env, options).words;
}
