/**
 * How published ports are shown, in docker's words: inspect's NetworkSettings.Ports, the `port`
 * command's lines and the PORTS column of `ps` (consecutive same-number ports grouped into ranges).
 */
import { InvalidArgumentError } from '../errors/index.js';
import { NoPublishedPortError } from './network-errors.js';
import { parsePortKey, portKey, type PortBinding, type PortMapping } from './publish-spec.js';

/** docker's NetworkSettings.Ports: every exposed port, null where nothing publishes it. */
export type PublishedPorts = Record<string, PortBinding[] | null>;

/** The ports as bound (real host ports) plus the exposed-only ones as null. */
export function publishedPorts(
  bound: readonly PortMapping[],
  exposedPorts?: Record<string, unknown> | null,
): PublishedPorts {
  const ports: PublishedPorts = {};
  for (const key of Object.keys(exposedPorts ?? {})) {
    const port = parsePortKey(key);
    if (port) ports[portKey(port)] = null;
  }
  for (const mapping of bound) {
    const key = portKey(mapping);
    (ports[key] ??= []).push({ HostIp: mapping.hostIp, HostPort: String(mapping.hostPort) });
  }
  return ports;
}

/** Go's net.JoinHostPort: IPv6 addresses in brackets. */
export function joinHostPort(ip: string, port: string | number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** docker's sortorder.NaturalLess: digit runs compare as numbers. */
function naturalCompare(a: string, b: string): number {
  const chunks = (text: string): string[] => text.match(/\d+|\D+/g) ?? [];
  const left = chunks(a);
  const right = chunks(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/**
 * `port CONTAINER [PRIVATE_PORT[/PROTO]]`: `80/tcp -> 127.0.0.1:18080` lines, or with a private
 * port just the addresses; a private port that is not published is docker's error.
 */
export function portCommandLines(
  ports: PublishedPorts | null | undefined,
  containerName: string,
  privatePort?: string,
): string[] {
  const lines: string[] = [];
  if (privatePort !== undefined) {
    const parsed = parsePortKey(privatePort);
    if (!parsed) throw new InvalidArgumentError(`invalid port (${privatePort.split('/')[0]})`);
    for (const binding of ports?.[portKey(parsed)] ?? [])
      lines.push(joinHostPort(binding.HostIp, binding.HostPort));
    if (lines.length === 0) throw new NoPublishedPortError(privatePort, containerName);
  } else {
    for (const [key, bindings] of Object.entries(ports ?? {})) {
      for (const binding of bindings ?? [])
        lines.push(`${key} -> ${joinHostPort(binding.HostIp, binding.HostPort)}`);
    }
  }
  return lines.sort(naturalCompare);
}

interface DisplayPort {
  ip: string;
  publicPort: number;
  privatePort: number;
  type: string;
}

function compareDisplay(a: DisplayPort, b: DisplayPort): number {
  if (a.privatePort !== b.privatePort) return a.privatePort - b.privatePort;
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  if (a.publicPort !== b.publicPort) return a.publicPort - b.publicPort;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

function formGroup(ip: string, type: string, first: number, last: number): string {
  const group = first === last ? String(first) : `${first}-${last}`;
  return ip === '' ? `${group}/${type}` : `${joinHostPort(ip, group)}->${group}/${type}`;
}

/**
 * The ps PORTS column, as docker's DisplayablePorts: `127.0.0.1:18080->80/tcp, 443/tcp`. Ports
 * published to the same number (and exposed-only ones) are grouped into runs like `8000-8001`;
 * mappings to another number are listed one by one after the groups.
 */
export function portsColumn(ports: PublishedPorts | null | undefined): string {
  const list: DisplayPort[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const port = parsePortKey(key);
    if (!port) continue;
    if (!bindings || bindings.length === 0)
      list.push({ ip: '', publicPort: 0, privatePort: port.containerPort, type: port.protocol });
    for (const binding of bindings ?? []) {
      list.push({
        ip: binding.HostIp,
        publicPort: Number(binding.HostPort),
        privatePort: port.containerPort,
        type: port.protocol,
      });
    }
  }
  list.sort(compareDisplay);
  const groups = new Map<string, { ip: string; type: string; first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of list) {
    if (port.ip !== '' && port.publicPort !== port.privatePort) {
      hostMappings.push(`${joinHostPort(port.ip, port.publicPort)}->${port.privatePort}/${port.type}`);
      continue;
    }
    const key = `${port.ip}/${port.type}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { ip: port.ip, type: port.type, first: port.privatePort, last: port.privatePort });
    } else if (port.privatePort === group.last + 1) {
      group.last = port.privatePort;
    } else {
      result.push(formGroup(group.ip, group.type, group.first, group.last));
      groups.set(key, { ip: port.ip, type: port.type, first: port.privatePort, last: port.privatePort });
    }
  }
  // Map iteration order is the order keys were first created, as docker's groupMapKeys.
  for (const group of groups.values()) result.push(formGroup(group.ip, group.type, group.first, group.last));
  return [...result, ...hostMappings].join(', ');
}
