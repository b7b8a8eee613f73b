/**
 * Network modes (architecture principle 6): `private` (default: a new network namespace with only
 * loopback, reached from the host through published ports), `none` (the same namespace, nothing
 * published), `host` (the host's namespace) and `container:<name|id>` (another container's
 * namespace, pod-style). No bridges, veths or iptables: on this machine only loopback carries
 * traffic. This file says what each mode means for the OCI spec and which options it refuses.
 */
import { InvalidArgumentError } from '../errors/index.js';
import type { NetworkMode, OciNamespace } from '../runtime/index.js';
import { NetworkModeConflictError } from './network-errors.js';

export type ParsedNetworkMode =
  { mode: 'none' } | { mode: 'private' } | { mode: 'host' } | { mode: 'container'; target: string };

/** `--network` value → mode; docker's `default`/`bridge` mean berth's private namespace. */
export function parseNetworkMode(value: string | undefined): ParsedNetworkMode {
  const text = (value ?? '').trim();
  if (text === '' || text === 'default' || text === 'bridge' || text === 'private')
    return { mode: 'private' };
  if (text === 'none' || text === 'host') return { mode: text };
  if (text.startsWith('container:')) {
    const target = text.slice('container:'.length);
    if (target !== '') return { mode: 'container', target };
  }
  // docker's words for a network that does not exist (berth has no user-defined networks).
  throw new InvalidArgumentError(`network ${text} not found`);
}

/** What HostConfig.NetworkMode stores (and inspect shows). */
export function networkModeText(mode: ParsedNetworkMode): string {
  return mode.mode === 'container' ? `container:${mode.target}` : mode.mode;
}

/**
 * The spec's network namespace entry: none for host (share the host's), a new one for private and
 * none, and the other container's for container: mode (its init must be running).
 */
export function networkNamespaceEntry(mode: ParsedNetworkMode, targetPid?: number): OciNamespace | undefined {
  if (mode.mode === 'host') return undefined;
  if (mode.mode !== 'container') return { type: 'network' };
  if (!targetPid)
    throw new NetworkModeConflictError(`cannot join network of a non running container: ${mode.target}`);
  return { type: 'network', path: `/proc/${targetPid}/ns/net` };
}

/** The same, in the shape runtime/spec-builder's buildSpec takes. */
export function runtimeNetworkMode(mode: ParsedNetworkMode, targetPid?: number): NetworkMode {
  if (mode.mode !== 'container') return { mode: mode.mode };
  return { mode: 'container', nsPath: networkNamespaceEntry(mode, targetPid)?.path ?? '' };
}

/** Only a private namespace of its own gets a forwarder. */
export function publishesPorts(mode: ParsedNetworkMode): boolean {
  return mode.mode === 'private';
}

export interface NetworkOptionsToCheck {
  publishes?: boolean;
  /** --expose given (the image's EXPOSE does not count, as in docker). */
  exposes?: boolean;
  addHosts?: readonly string[];
  hostname?: string;
  dns?: readonly string[];
  macAddress?: string;
}

/**
 * docker's refusals for a mode, and its warnings (returned for the face to print): published
 * ports are dropped in host mode, and in none mode, where nothing could reach them.
 */
export function checkNetworkOptions(mode: ParsedNetworkMode, options: NetworkOptionsToCheck): string[] {
  if (mode.mode === 'container') {
    if (options.publishes)
      throw new NetworkModeConflictError(
        'conflicting options: port publishing and the container type network mode',
      );
    if (options.exposes)
      throw new NetworkModeConflictError(
        'conflicting options: port exposing and the container type network mode',
      );
    if (options.addHosts?.length)
      throw new NetworkModeConflictError(
        'conflicting options: custom host-to-IP mapping and the network mode',
      );
    if (options.hostname)
      throw new NetworkModeConflictError('conflicting options: hostname and the network mode');
    if (options.dns?.length)
      throw new NetworkModeConflictError('conflicting options: dns and the network mode');
  }
  const warnings: string[] = [];
  if (options.publishes && mode.mode === 'host')
    warnings.push('WARNING: Published ports are discarded when using host network mode');
  if (options.publishes && mode.mode === 'none')
    warnings.push('WARNING: Published ports are discarded when using the none network mode');
  return warnings;
}

/** True when the container uses another one's /etc/hosts, resolv.conf and hostname files. */
export function sharesEtcFiles(mode: ParsedNetworkMode): mode is { mode: 'container'; target: string } {
  return mode.mode === 'container';
}
