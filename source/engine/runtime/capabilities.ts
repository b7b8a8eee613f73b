/** docker's capability arithmetic: defaults, --cap-add/--cap-drop (ALL allowed), --privileged. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../errors/index.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './docker-defaults.js';
import type { OciCapabilities } from './oci-spec.js';

/** The capabilities this kernel knows (cap_last_cap), so --privileged never asks for one it lacks. */
function kernelCapabilities(): string[] {
  let last = ALL_CAPABILITIES.length - 1;
  try {
    last = Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'), 10);
  } catch {
    // Not Linux or no /proc: keep the full table.
  }
  return ALL_CAPABILITIES.slice(0, last + 1);
}

export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return upper;
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!(ALL_CAPABILITIES as readonly string[]).includes(full)) {
    throw new InvalidArgumentError(`invalid capability: ${name}`);
  }
  return full;
}

export interface CapabilityOptions {
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
}

export function capabilityList(options: CapabilityOptions): string[] {
  const known = kernelCapabilities();
  if (options.privileged) return known;
  const add = (options.capAdd ?? []).map(normalizeCapability);
  const drop = (options.capDrop ?? []).map(normalizeCapability);
  let caps: string[] = drop.includes('ALL') ? [] : [...DEFAULT_CAPABILITIES];
  if (add.includes('ALL')) caps = [...known];
  for (const cap of add) if (cap !== 'ALL' && !caps.includes(cap)) caps.push(cap);
  if (!drop.includes('ALL')) caps = caps.filter((cap) => !drop.includes(cap) || add.includes(cap));
  return caps.filter((cap) => known.includes(cap));
}

/**
 * docker gives root the set in bounding/effective/permitted and nothing inheritable or ambient;
 * a non-root user keeps only the bounding set (the kernel clears the rest on exec).
 */
export function ociCapabilities(options: CapabilityOptions, uid = 0): OciCapabilities {
  const caps = capabilityList(options);
  return {
    bounding: caps,
    effective: uid === 0 ? caps : [],
    permitted: uid === 0 ? caps : [],
    inheritable: [],
    ambient: [],
  };
}
