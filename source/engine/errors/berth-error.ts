/**
 * Every error the engine raises is a BerthError: a stable machine `code`, a one-line message a
 * user can act on, and the exit status docker would use for it. Faces print `message` and exit
 * with `exitCode`; they never need to inspect the class.
 */
export type ExitStatus = 1 | 125 | 126 | 127;

export class BerthError extends Error {
  readonly code: string;
  readonly exitCode: ExitStatus;

  constructor(code: string, message: string, exitCode: ExitStatus = 125, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The user asked for something malformed (a flag value, a name, a file): docker exits 125 here too. */
export class InvalidArgumentError extends BerthError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message, 125);
  }
}

/** A named thing (image, container, volume) does not exist. */
export class NotFoundError extends BerthError {
  constructor(kind: string, name: string, code = 'NOT_FOUND') {
    super(code, `no such ${kind}: ${name}`, 1);
  }
}

/** The request conflicts with current state (name in use, image in use, container running). */
export class ConflictError extends BerthError {
  constructor(message: string, code = 'CONFLICT') {
    super(code, message, 1);
  }
}

/** The store holds something it cannot trust (digest mismatch, corrupt JSON, unsafe archive). */
export class StoreCorruptError extends BerthError {
  constructor(message: string, code = 'STORE_CORRUPT') {
    super(code, message, 125);
  }
}

/** Normalises anything thrown into a BerthError so faces can print exactly one line. */
export function asBerthError(error: unknown): BerthError {
  if (error instanceof BerthError) return error;
  if (error instanceof Error) {
    const errno = (error as NodeJS.ErrnoException).code;
    return new BerthError(errno ?? 'INTERNAL', error.message, 125, { cause: error });
  }
  return new BerthError('INTERNAL', String(error), 125);
}
