/** Errors of the network module: each names the argument or address that is wrong. */
import { BerthError, InvalidArgumentError, NotFoundError } from '../errors/index.js';

/** A `-p`/`--publish` value docker would refuse. */
export class InvalidPublishError extends InvalidArgumentError {
  constructor(spec: string, why: string) {
    super(`invalid publish spec "${spec}": ${why}`);
  }
}

/** A host port the forwarder could not bind (in use, no such address): docker fails `run` with 125. */
export class PortUnavailableError extends BerthError {
  constructor(detail: string) {
    super('PORT_UNAVAILABLE', `ports are not available: ${detail}`, 125);
  }
}

/** The forwarder failed for a reason other than a port (binary missing, container gone). */
export class ForwarderError extends BerthError {
  constructor(message: string) {
    super('FORWARDER_FAILED', message, 125);
  }
}

/** Options docker refuses together with a network mode (`-p` with container:, …): `run` exits 125. */
export class NetworkModeConflictError extends BerthError {
  constructor(message: string) {
    super('NETWORK_MODE_CONFLICT', message, 125);
  }
}

/** `berth port c 80` for a port the container does not publish. */
export class NoPublishedPortError extends NotFoundError {
  constructor(port: string, container: string) {
    super('published port', `${port} on ${container}`, 'NO_PUBLISHED_PORT');
    // docker's own words, which scripts grep for.
    this.message = `No public port '${port}' published for ${container}`;
  }
}
