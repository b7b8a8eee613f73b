/**
 * Rlimits for the container, clamped to what this process may grant: without CAP_SYS_RESOURCE a
 * hard limit can only be lowered, so asking for more than the current hard limit would fail.
 */
import { readFileSync } from 'node:fs';
import type { OciRlimit } from './oci-spec.js';

const NAMES: Record<string, string> = {
  'Max open files': 'RLIMIT_NOFILE',
  'Max processes': 'RLIMIT_NPROC',
  'Max core file size': 'RLIMIT_CORE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max stack size': 'RLIMIT_STACK',
};

/** Current hard limits by OCI name; `Infinity` for unlimited. */
export function currentHardLimits(text?: string): Map<string, number> {
  const limits = new Map<string, number>();
  let source = text;
  if (source === undefined) {
    try {
      source = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return limits;
    }
  }
  for (const line of source.split('\n')) {
    for (const [label, name] of Object.entries(NAMES)) {
      if (!line.startsWith(label)) continue;
      const fields = line.slice(label.length).trim().split(/\s+/);
      const hard = fields[1];
      limits.set(name, hard === 'unlimited' || hard === undefined ? Infinity : Number(hard));
    }
  }
  return limits;
}

/** RLIMIT_NOFILE 1048576 as docker's daemon sets it, never above our own hard limit. */
export function defaultRlimits(requested: OciRlimit[] = [], hardLimits = currentHardLimits()): OciRlimit[] {
  const wanted = new Map<string, OciRlimit>([
    ['RLIMIT_NOFILE', { type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }],
  ]);
  for (const limit of requested) wanted.set(limit.type, limit);
  return [...wanted.values()].map((limit) => {
    const ceiling = hardLimits.get(limit.type) ?? Infinity;
    const hard = Math.min(limit.hard, ceiling);
    return { type: limit.type, hard, soft: Math.min(limit.soft, hard) };
  });
}
