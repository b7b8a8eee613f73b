import { BerthError } from '../errors/index.js';

/** Which rule a reference broke; stable so callers and tests need not match message text. */
export type ReferenceProblem =
  | 'format'
  | 'name-empty'
  | 'name-uppercase'
  | 'name-too-long'
  | 'name-not-canonical'
  | 'name-hex'
  | 'tag-format'
  | 'digest-format'
  | 'digest-length'
  | 'digest-unsupported';

/** A malformed image reference; the message is docker's, so scripts matching it keep working. */
export class InvalidReferenceError extends BerthError {
  readonly problem: ReferenceProblem;
  readonly input: string;

  constructor(problem: ReferenceProblem, input: string, message: string) {
    super('INVALID_REFERENCE', message, 125);
    this.problem = problem;
    this.input = input;
  }
}
