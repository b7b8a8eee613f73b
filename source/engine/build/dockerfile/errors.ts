import { BerthError } from '../../errors/index.js';

/**
 * A Dockerfile that cannot be parsed or whose instructions are invalid. The message reads like
 * the location docker reports, `Dockerfile:7: unknown instruction: COPPY`, so a user can jump
 * straight to the line; `detail` holds the bare reason for callers that format their own.
 */
export class DockerfileSyntaxError extends BerthError {
  readonly file: string;
  readonly line: number;
  readonly endLine: number;
  readonly detail: string;

  constructor(file: string, line: number, detail: string, endLine = line) {
    super('DOCKERFILE_SYNTAX', `${file}:${line}: ${detail}`, 1);
    this.file = file;
    this.line = line;
    this.endLine = endLine;
    this.detail = detail;
  }
}

/**
 * Raised inside the parsers, before the file name and line are known; parseDockerfile and
 * parseInstructions turn it into a DockerfileSyntaxError at the instruction's location.
 */
export class LocalSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSyntaxError';
  }
}
