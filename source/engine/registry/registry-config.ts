/**
 * Which registries berth talks to and how: plain http only for insecure registries (loopback
 * always, others from `insecure-registries` in <root>/config.json, as docker's daemon.json),
 * Docker Hub's API host, and `registry-mirrors` tried first for Docker Hub pulls.
 */
import { readJsonOr } from '../util/index.js';
import { InvalidArgumentError } from '../errors/index.js';

export const DOCKER_HUB_DOMAIN = 'docker.io';
/** Where Docker Hub's registry API lives; `docker.io` itself only redirects to the website. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
/** The key docker writes Docker Hub credentials under in config.json. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export interface RegistrySettings {
  insecureRegistries: string[];
  registryMirrors: string[];
}

export async function readRegistrySettings(configPath: string): Promise<RegistrySettings> {
  const config = await readJsonOr<Record<string, unknown>>(configPath, {});
  const list = (key: string): string[] => {
    const value = config[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw new InvalidArgumentError(`${configPath}: "${key}" must be a list of strings`);
    }
    return value;
  };
  return { insecureRegistries: list('insecure-registries'), registryMirrors: list('registry-mirrors') };
}

/** The host to connect to for a reference domain. */
export function registryApiHost(domain: string): string {
  if (domain === DOCKER_HUB_DOMAIN || domain === 'index.docker.io') return DOCKER_HUB_REGISTRY;
  return domain;
}

/** Splits `host:port` (also `[::1]:5000`) into its parts. */
export function splitHostPort(host: string): { hostname: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracketed) return { hostname: bracketed[1]!, port: bracketed[2] };
  const colon = host.lastIndexOf(':');
  if (colon > 0 && host.indexOf(':') === colon)
    return { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
  return { hostname: host };
}

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function inCidr(address: string, cidr: string): boolean {
  const [network, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const ip = ipv4ToNumber(address);
  const net = ipv4ToNumber(network ?? '');
  if (ip === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  if (bits === 0) return true;
  const mask = 2 ** 32 - 2 ** (32 - bits);
  return Math.floor(ip / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)) && mask > 0;
}

/**
 * Insecure means: plain http allowed, and TLS certificates not enforced. Loopback is always
 * insecure (docker hardcodes 127.0.0.0/8 too); entries are `host`, `host:port` or a CIDR.
 */
export function isInsecureRegistry(host: string, insecureRegistries: readonly string[]): boolean {
  const { hostname } = splitHostPort(host);
  if (hostname === 'localhost' || hostname === '::1' || inCidr(hostname, '127.0.0.0/8')) return true;
  return insecureRegistries.some((entry) =>
    entry.includes('/') ? inCidr(hostname, entry) : entry === host || entry === hostname,
  );
}

/** Mirror base URLs for a domain's pulls: only Docker Hub gets mirrors, as in docker. */
export function mirrorsFor(domain: string, settings: RegistrySettings): URL[] {
  if (registryApiHost(domain) !== DOCKER_HUB_REGISTRY) return [];
  return settings.registryMirrors.flatMap((mirror) => {
    try {
      const url = new URL(mirror.includes('://') ? mirror : `https://${mirror}`);
      return [url];
    } catch {
      return [];
    }
  });
}

/** The credentials key for a registry domain (docker's convention for Docker Hub). */
export function authKeyFor(domain: string): string {
  const host = registryApiHost(domain);
  return host === DOCKER_HUB_REGISTRY ? DOCKER_HUB_AUTH_KEY : domain;
}
