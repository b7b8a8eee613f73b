import { BerthError } from '../../errors/index.js';

/** A .dockerignore pattern is malformed (`!` alone, `[` unclosed, a reversed range such as `[z-a]`). */
export class DockerignorePatternError extends BerthError {
  readonly pattern: string;

  constructor(pattern: string, reason: string) {
    super('DOCKERIGNORE_PATTERN', `invalid .dockerignore pattern ${JSON.stringify(pattern)}: ${reason}`, 1);
    this.pattern = pattern;
  }
}
