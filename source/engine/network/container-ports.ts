/**
 * A container's published ports from its stored HostConfig: what to bind at start (none outside
 * a private namespace of its own; `-P` adds every EXPOSEd port), and the forwarder that binds
 * them. The container runner calls these two around its monitor, so a busy port fails the start
 * before the container's process exists.
 */
import { join } from 'node:path';
import { parseNetworkMode, publishesPorts } from './network-mode.js';
import { publishedPorts, type PublishedPorts } from './port-format.js';
import { fromPortBindings, publishAllExposed, type PortBindings, type PortMapping } from './publish-spec.js';
import { startForwarder, stopForwarder } from './forwarder.js';

/** The fields of docker's Config and HostConfig that decide what is published. */
export interface PublishRequest {
  networkMode: string;
  portBindings?: PortBindings | null;
  publishAll?: boolean;
  exposedPorts?: Record<string, object> | null;
}

/** The rules a start binds, in order: the `-p` ones, then (with `-P`) the other exposed ports. */
export function portsToPublish(request: PublishRequest): PortMapping[] {
  if (!publishesPorts(parseNetworkMode(request.networkMode))) return [];
  const asked = fromPortBindings(request.portBindings);
  return request.publishAll ? publishAllExposed(request.exposedPorts, asked) : asked;
}

/**
 * Binds the container's ports before its process starts: the forwarder claims them now and
 * learns the init's pid from `<stateDir>/pid` when the monitor writes it (so that file must be
 * gone, or older, when this is called). Returns docker's NetworkSettings.Ports for the record.
 * Throws PortUnavailableError (exit 125) for a port in use; then nothing is left running.
 */
export async function publishContainerPorts(
  stateDir: string,
  request: PublishRequest,
): Promise<PublishedPorts> {
  if (!publishesPorts(parseNetworkMode(request.networkMode))) return {};
  const rules = portsToPublish(request);
  if (rules.length === 0) {
    await stopForwarder(stateDir);
    return publishedPorts([], request.exposedPorts);
  }
  const forward = await startForwarder({ waitPidFile: join(stateDir, 'pid'), rules, stateDir });
  return publishedPorts(forward.bindings, request.exposedPorts);
}

/** Stops the container's forwarder, if one runs; never throws (cleanup paths call it). */
export async function unpublishContainerPorts(stateDir: string): Promise<void> {
  await stopForwarder(stateDir).catch(() => undefined);
}
