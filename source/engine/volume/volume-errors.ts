/** The volume domain's errors, worded as docker words them so scripts that grep for them still work. */
import { BerthError, InvalidArgumentError } from '../errors/index.js';

export class NoSuchVolumeError extends BerthError {
  constructor(name: string) {
    super('VOLUME_NOT_FOUND', `no such volume: ${name}`, 1);
  }
}

export class VolumeInUseError extends BerthError {
  constructor(name: string, containers: string[]) {
    super('VOLUME_IN_USE', `remove ${name}: volume is in use - [${containers.join(', ')}]`, 1);
  }
}

export class InvalidVolumeNameError extends InvalidArgumentError {
  constructor(name: string) {
    super(
      `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** A -v, --mount, --tmpfs or --volumes-from value berth cannot use; names the argument. */
export class MountSpecError extends InvalidArgumentError {
  constructor(flag: string, value: string, why: string) {
    super(`invalid argument "${value}" for "${flag}" flag: ${why}`);
  }
}

/** Two mounts (of any kind) claim the same destination. */
export class DuplicateMountPointError extends InvalidArgumentError {
  constructor(destination: string) {
    super(`Duplicate mount point: ${destination}`);
  }
}

/** `--mount type=bind` with a source that does not exist (docker refuses; `-v` creates it). */
export class BindSourceMissingError extends InvalidArgumentError {
  constructor(source: string) {
    super(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
  }
}

/** A mount target that cannot be made inside the container's root (a file in the way, a loop). */
export class MountTargetError extends BerthError {
  constructor(target: string, why: string) {
    super('MOUNT_TARGET', `cannot mount on ${target} inside the container: ${why}`, 125);
  }
}
