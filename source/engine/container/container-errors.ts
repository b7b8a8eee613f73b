/** The container domain's errors, worded as docker words them. */
import { BerthError, type ExitStatus } from '../errors/index.js';

export class NoSuchContainerError extends BerthError {
  constructor(name: string) {
    super('CONTAINER_NOT_FOUND', `No such container: ${name}`, 1);
  }
}

export class AmbiguousContainerError extends BerthError {
  constructor(prefix: string) {
    super('CONTAINER_AMBIGUOUS', `multiple containers found with provided prefix: ${prefix}`, 1);
  }
}

export class NameInUseError extends BerthError {
  constructor(name: string, id: string) {
    super(
      'NAME_IN_USE',
      `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
      125,
    );
  }
}

export class ContainerStateError extends BerthError {
  constructor(message: string, exitCode: ExitStatus = 1) {
    super('CONTAINER_STATE', message, exitCode);
  }
}

export class FlagValueError extends BerthError {
  constructor(flag: string, value: string, why: string) {
    super('INVALID_FLAG_VALUE', `invalid argument "${value}" for "${flag}" flag: ${why}`, 125);
  }
}
