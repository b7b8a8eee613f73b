import { BerthError } from '../../errors/index.js';

/**
 * A word could not be expanded: a syntax error (`${`, unterminated quote), an unsupported
 * modifier (`${v:=w}`), a `${v?msg}` check that failed, or a bad pattern. The message has the
 * shape BuildKit prints: `failed to process "<word>": <reason>`.
 */
export class ShellExpansionError extends BerthError {
  /** The word as it was given, before any expansion. */
  readonly word: string;
  /** The reason without the `failed to process` prefix. */
  readonly reason: string;

  constructor(word: string, reason: string, quotedWord: string) {
    super('SHELL_EXPANSION', `failed to process ${quotedWord}: ${reason}`, 1);
    this.word = word;
    this.reason = reason;
  }
}
