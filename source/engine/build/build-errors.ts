/**
 * What a build reports when it fails. Dockerfile problems and failing steps exit 1 as docker's
 * build does; every message names the Dockerfile line when there is one.
 */
import { BerthError } from '../errors/index.js';

/** A step that cannot run as written (bad source, bad flag value, unknown stage …). */
export class BuildError extends BerthError {
  constructor(message: string, code = 'BUILD_FAILED') {
    super(code, message, 1);
  }
}

/** `Dockerfile:7: …`, the location prefix docker puts on step errors. */
export function locatedBuildError(file: string, line: number | undefined, message: string): BuildError {
  return new BuildError(line === undefined ? message : `${file}:${line}: ${message}`);
}

/** A RUN whose command exited non-zero: docker's own wording. */
export class RunStepError extends BerthError {
  constructor(
    readonly command: string,
    readonly exitStatus: number,
  ) {
    super('BUILD_RUN_FAILED', `The command '${command}' returned a non-zero code: ${exitStatus}`, 1);
  }
}

/** docker refuses images deeper than 125 layers (overlayfs cannot stack many more). */
export const MAX_IMAGE_LAYERS = 125;

export class LayerLimitError extends BerthError {
  constructor(file: string, line: number, layers: number) {
    super(
      'BUILD_MAX_DEPTH',
      `${file}:${line}: max depth exceeded: the image would have ${layers} layers, more than the ${MAX_IMAGE_LAYERS} docker allows; combine RUN steps or use a multi-stage build`,
      1,
    );
  }
}
