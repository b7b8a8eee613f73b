/**
 * A container's /etc/hosts, /etc/resolv.conf and /etc/hostname, as docker writes them into the
 * container's directory and bind-mounts them. In container: mode the other container's files are
 * used instead (sharesEtcFiles), so both see the same names.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { writeFileAtomic } from '../util/index.js';
import type { ParsedNetworkMode } from './network-mode.js';

export interface ExtraHost {
  name: string;
  ip: string;
}

/**
 * `--add-host name:ip` (or docker's newer `name=ip`; an IPv6 address may follow the first colon).
 * `host-gateway` is the host itself: reachable only in host mode here, where it is 127.0.0.1.
 */
export function parseAddHost(value: string, mode: ParsedNetworkMode = { mode: 'private' }): ExtraHost {
  const separator = value.search(/[:=]/);
  const name = separator < 0 ? '' : value.slice(0, separator).trim();
  let ip = separator < 0 ? '' : value.slice(separator + 1).trim();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip === 'host-gateway') {
    if (mode.mode !== 'host') {
      throw new InvalidArgumentError(
        `invalid argument "${value}" for "--add-host": host-gateway is only reachable with --network host (berth creates no bridge)`,
      );
    }
    ip = '127.0.0.1';
  }
  if (!name || /\s/.test(name) || isIP(ip) === 0)
    throw new InvalidArgumentError(`invalid argument "${value}" for "--add-host": want name:ip`);
  return { name, ip };
}

/** docker's fixed head of a container's /etc/hosts. */
const HOSTS_HEAD = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface HostsOptions {
  hostname: string;
  domainname?: string;
  extraHosts?: readonly ExtraHost[];
  /** The host's /etc/hosts, used as the base in host mode. */
  hostHosts?: string;
}

/**
 * /etc/hosts: docker's head, the --add-host lines, then the container's own name. With no address
 * but loopback in its namespace, the name points at 127.0.0.1 (so `ping $(hostname)` works).
 * Host mode starts from the host's file instead, as docker does.
 */
export function hostsFile(mode: ParsedNetworkMode, options: HostsOptions): string {
  const extra = (options.extraHosts ?? []).map((host) => `${host.ip}\t${host.name}`);
  if (mode.mode === 'host') {
    const base = options.hostHosts ?? HOSTS_HEAD.join('\n');
    return [base.replace(/\n*$/, ''), ...extra].join('\n') + '\n';
  }
  const names = options.domainname
    ? `${options.hostname}.${options.domainname} ${options.hostname}`
    : options.hostname;
  return [...HOSTS_HEAD, ...extra, `127.0.0.1\t${names}`].join('\n') + '\n';
}

export interface ResolvOptions {
  dns?: readonly string[];
  dnsSearch?: readonly string[];
  dnsOptions?: readonly string[];
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === '0:0:0:0:0:0:0:1';
}

/**
 * /etc/resolv.conf: the host's, minus loopback nameservers unless the container shares the host's
 * namespace (127.0.0.53 inside a private namespace is the container's own loopback, where nothing
 * answers). --dns, --dns-search and --dns-option replace the host's lines of their kind. When no
 * nameserver is left none is invented: docker falls back to public servers, which this machine
 * cannot reach, and an empty list fails fast instead of timing out.
 */
export function resolvConf(mode: ParsedNetworkMode, hostText: string, options: ResolvOptions = {}): string {
  const lines: string[] = [];
  let nameservers = 0;
  for (const raw of hostText.split('\n')) {
    const line = raw.trim();
    const [keyword = '', first = ''] = line.split(/\s+/);
    if (keyword === 'nameserver') {
      if (options.dns?.length || (mode.mode !== 'host' && isLoopback(first))) continue;
      nameservers++;
    }
    if ((keyword === 'search' || keyword === 'domain') && options.dnsSearch?.length) continue;
    if (keyword === 'options' && options.dnsOptions?.length) continue;
    if (line !== '') lines.push(line);
  }
  for (const server of options.dns ?? []) {
    if (isIP(server) === 0) throw new InvalidArgumentError(`${server} is not an ip address`);
    lines.push(`nameserver ${server}`);
    nameservers++;
  }
  if (options.dnsSearch?.length) lines.push(`search ${options.dnsSearch.join(' ')}`);
  if (options.dnsOptions?.length) lines.push(`options ${options.dnsOptions.join(' ')}`);
  if (nameservers === 0)
    lines.unshift("# berth: the host's nameservers are loopback addresses, unreachable from this container");
  return lines.join('\n') + '\n';
}

export interface EtcFilesOptions extends HostsOptions, ResolvOptions {}

/**
 * Writes hostname, hosts and resolv.conf into a container's directory (what create does; the
 * runtime bind-mounts them). Not for container: mode, which uses the other container's files.
 */
export async function writeEtcFiles(
  dir: string,
  mode: ParsedNetworkMode,
  options: EtcFilesOptions,
): Promise<void> {
  const [hostHosts, hostResolv] = await Promise.all([
    mode.mode === 'host' && options.hostHosts === undefined
      ? readFile('/etc/hosts', 'utf8').catch(() => undefined)
      : options.hostHosts,
    readFile('/etc/resolv.conf', 'utf8').catch(() => ''),
  ]);
  await Promise.all([
    writeFileAtomic(join(dir, 'hostname'), `${options.hostname}\n`),
    writeFileAtomic(join(dir, 'hosts'), hostsFile(mode, { ...options, hostHosts })),
    writeFileAtomic(join(dir, 'resolv.conf'), resolvConf(mode, hostResolv, options)),
  ]);
}
