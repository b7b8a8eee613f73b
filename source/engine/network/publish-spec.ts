/**
 * docker's `-p`/`--publish` grammar and `-P`: `[ip:][hostPort:]containerPort[/proto]`, either port a
 * range (`8000-8001:80-81`), an IPv6 address in brackets (`[::1]:8080:80`), an empty host port for a
 * free one (`127.0.0.1::80`), and docker's HostConfig.PortBindings shape they are stored in.
 */
import { isIP } from 'node:net';
import { InvalidArgumentError } from '../errors/index.js';
import { InvalidPublishError } from './network-errors.js';

export type PortProtocol = 'tcp' | 'udp';

/** One published port. Host port 0: whichever free port, chosen when the forwarder binds. */
export interface PortMapping {
  /** '' until start, when it becomes the default address (127.0.0.1 on this machine). */
  hostIp: string;
  hostPort: number;
  /** `-p 8000-8010:80`: the first free port of hostPort..hostPortLast is taken. */
  hostPortLast?: number;
  containerPort: number;
  protocol: PortProtocol;
}

/** docker's HostConfig.PortBindings entry (and NetworkSettings.Ports'). */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export type PortBindings = Record<string, PortBinding[]>;

interface PortRange {
  first: number;
  last: number;
}

function parseRange(text: string, spec: string, what: string, allowZero: boolean): PortRange {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const first = match ? Number(match[1]) : NaN;
  const last = match?.[2] !== undefined ? Number(match[2]) : first;
  const min = allowZero && match?.[2] === undefined ? 0 : 1;
  if (!match || first < min || last > 65535 || last < first) {
    throw new InvalidPublishError(spec, `invalid ${what}: ${text || '(empty)'}`);
  }
  return { first, last };
}

function parseProtocol(text: string, spec: string): PortProtocol {
  const proto = text.toLowerCase();
  if (proto === 'tcp' || proto === 'udp') return proto;
  if (proto === 'sctp')
    throw new InvalidPublishError(spec, 'sctp is not supported: only tcp and udp can be published');
  throw new InvalidPublishError(spec, `invalid proto: ${text || '(empty)'}`);
}

/** Splits off the address: `[v6]:…`, `v4:…`, or docker's unbracketed v6 (all but the last two parts). */
function splitAddress(rest: string, spec: string): { ip: string; hostPort: string; containerPort: string } {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':')
      throw new InvalidPublishError(spec, `invalid ip address: ${rest}`);
    const ports = rest.slice(close + 2).split(':');
    if (ports.length !== 2) throw new InvalidPublishError(spec, 'want [ip]:hostPort:containerPort');
    return { ip: rest.slice(1, close), hostPort: ports[0] ?? '', containerPort: ports[1] ?? '' };
  }
  const parts = rest.split(':');
  if (parts.length === 1) return { ip: '', hostPort: '', containerPort: parts[0] ?? '' };
  if (parts.length === 2) return { ip: '', hostPort: parts[0] ?? '', containerPort: parts[1] ?? '' };
  return {
    ip: parts.slice(0, -2).join(':'),
    hostPort: parts.at(-2) ?? '',
    containerPort: parts.at(-1) ?? '',
  };
}

/** Parses one `-p` value into the mappings it means (several for a range). */
export function parsePublishSpec(spec: string): PortMapping[] {
  const text = spec.trim();
  if (text === '') throw new InvalidPublishError(spec, 'empty');
  const slash = text.lastIndexOf('/');
  const protocol = slash < 0 ? 'tcp' : parseProtocol(text.slice(slash + 1), spec);
  const { ip, hostPort, containerPort } = splitAddress(slash < 0 ? text : text.slice(0, slash), spec);
  if (ip !== '' && isIP(ip) === 0) throw new InvalidPublishError(spec, `invalid ip address: ${ip}`);
  const container = parseRange(containerPort, spec, 'containerPort', false);
  const count = container.last - container.first + 1;
  if (hostPort === '') {
    return Array.from({ length: count }, (_, i) => ({
      hostIp: ip,
      hostPort: 0,
      containerPort: container.first + i,
      protocol,
    }));
  }
  const host = parseRange(hostPort, spec, 'hostPort', true);
  const hostCount = host.last - host.first + 1;
  if (count === 1 && hostCount > 1) {
    return [
      { hostIp: ip, hostPort: host.first, hostPortLast: host.last, containerPort: container.first, protocol },
    ];
  }
  if (hostCount !== count) {
    throw new InvalidPublishError(
      spec,
      `host range ${hostPort} and container range ${containerPort} differ in size`,
    );
  }
  return Array.from({ length: count }, (_, i) => ({
    hostIp: ip,
    hostPort: host.first === 0 ? 0 : host.first + i,
    containerPort: container.first + i,
    protocol,
  }));
}

/** Every `-p` value of a command line, in order. */
export function parsePublishSpecs(specs: readonly string[]): PortMapping[] {
  return specs.flatMap((spec) => parsePublishSpec(spec));
}

export function portKey(mapping: Pick<PortMapping, 'containerPort' | 'protocol'>): string {
  return `${mapping.containerPort}/${mapping.protocol}`;
}

/** `80/tcp` (or docker's bare `80`) → port and protocol; undefined for anything else. */
export function parsePortKey(key: string): { containerPort: number; protocol: PortProtocol } | undefined {
  const match = /^(\d{1,5})(?:\/(tcp|udp))?$/i.exec(key.trim());
  const port = Number(match?.[1]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { containerPort: port, protocol: (match[2]?.toLowerCase() ?? 'tcp') as PortProtocol };
}

/**
 * `-P`: every EXPOSEd port of the image config (and of `--expose`) to a free host port, except
 * those an explicit `-p` already publishes (docker lets the explicit mapping win).
 */
export function publishAllExposed(
  exposedPorts: Record<string, unknown> | null | undefined,
  explicit: readonly PortMapping[] = [],
  hostIp = '',
): PortMapping[] {
  const taken = new Set(explicit.map(portKey));
  const added: PortMapping[] = [];
  for (const key of Object.keys(exposedPorts ?? {})) {
    const port = parsePortKey(key);
    if (!port || taken.has(portKey(port))) continue;
    taken.add(portKey(port));
    added.push({ hostIp, hostPort: 0, ...port });
  }
  return [...explicit, ...added];
}

/** `--expose 80`, `--expose 7000-7002/udp`: the ports (each of a range) as Config.ExposedPorts keys. */
export function parseExposeSpecs(values: readonly string[]): Record<string, object> {
  const exposed: Record<string, object> = {};
  for (const value of values) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp))?$/i.exec(value.trim());
    const first = Number(match?.[1]);
    const last = match?.[2] === undefined ? first : Number(match[2]);
    if (!match || first < 1 || last > 65535 || last < first)
      throw new InvalidArgumentError(`invalid range format for --expose: ${value}`);
    const protocol = match[3]?.toLowerCase() ?? 'tcp';
    for (let port = first; port <= last; port++) exposed[`${port}/${protocol}`] = {};
  }
  return exposed;
}

/** docker adds every published port to Config.ExposedPorts. */
export function exposedPortsOf(
  mappings: readonly PortMapping[],
  exposed: Record<string, object> = {},
): Record<string, object> {
  const result: Record<string, object> = { ...exposed };
  for (const mapping of mappings) result[portKey(mapping)] ??= {};
  return result;
}

function hostPortText(mapping: PortMapping): string {
  if (mapping.hostPortLast !== undefined && mapping.hostPortLast > mapping.hostPort)
    return `${mapping.hostPort}-${mapping.hostPortLast}`;
  return mapping.hostPort === 0 ? '' : String(mapping.hostPort);
}

/** Mappings → docker's HostConfig.PortBindings (HostPort '' for a free port, as docker stores it). */
export function toPortBindings(mappings: readonly PortMapping[]): PortBindings {
  const bindings: PortBindings = {};
  for (const mapping of mappings) {
    (bindings[portKey(mapping)] ??= []).push({ HostIp: mapping.hostIp, HostPort: hostPortText(mapping) });
  }
  return bindings;
}

/** docker's HostConfig.PortBindings → mappings (what a stored container asks for at start). */
export function fromPortBindings(bindings: PortBindings | null | undefined): PortMapping[] {
  const mappings: PortMapping[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const port = parsePortKey(key);
    if (!port) throw new InvalidPublishError(key, 'invalid containerPort');
    for (const binding of list ?? [{ HostIp: '', HostPort: '' }]) {
      const spec = `${binding.HostIp.includes(':') ? `[${binding.HostIp}]` : binding.HostIp}:${binding.HostPort}:${key}`;
      const host =
        binding.HostPort === ''
          ? { first: 0, last: 0 }
          : parseRange(binding.HostPort, spec, 'hostPort', true);
      if (binding.HostIp !== '' && isIP(binding.HostIp) === 0)
        throw new InvalidPublishError(spec, `invalid ip address: ${binding.HostIp}`);
      mappings.push({
        hostIp: binding.HostIp,
        hostPort: host.first,
        ...(host.last > host.first ? { hostPortLast: host.last } : {}),
        ...port,
      });
    }
  }
  return mappings;
}
