/**
 * Platforms (os/architecture/variant) as the OCI image index names them, and picking the entry
 * of an index that fits the platform asked for (containerd's normalisation: amd64 = x86_64,
 * arm64 = aarch64 with variant v8 implied, arm defaults to v7).
 */
import { InvalidArgumentError } from '../errors/index.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

function normalizeArch(architecture: string, variant?: string): { architecture: string; variant?: string } {
  const arch = architecture.toLowerCase();
  switch (arch) {
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return { architecture: 'amd64', variant: variant === 'v1' ? undefined : variant };
    case 'aarch64':
    case 'arm64':
      return { architecture: 'arm64', variant: variant === 'v8' ? undefined : variant };
    case 'armhf':
      return { architecture: 'arm', variant: 'v7' };
    case 'armel':
      return { architecture: 'arm', variant: 'v6' };
    case 'arm':
      return { architecture: 'arm', variant: variant ?? 'v7' };
    case 'i386':
      return { architecture: '386', variant };
    default:
      return { architecture: arch, variant };
  }
}

export function normalizePlatform(platform: Platform): Platform {
  const { architecture, variant } = normalizeArch(platform.architecture, platform.variant);
  return variant
    ? { os: platform.os.toLowerCase(), architecture, variant }
    : { os: platform.os.toLowerCase(), architecture };
}

/** This machine's platform, like `docker pull` uses by default. */
export function currentPlatform(): Platform {
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  const armVersion = (process.config.variables as Record<string, unknown>).arm_version;
  const variant = architecture === 'arm' && typeof armVersion === 'string' ? `v${armVersion}` : undefined;
  return normalizePlatform({
    os: process.platform === 'win32' ? 'windows' : process.platform,
    architecture,
    variant,
  });
}

/** `linux/arm64/v8`, `linux/amd64`, or just `arm64` (os defaults to linux). */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.some((part) => part === '') || parts.length > 3) {
    throw new InvalidArgumentError(`invalid platform: "${text}" (expected os/arch[/variant])`);
  }
  if (parts.length === 1) return normalizePlatform({ os: 'linux', architecture: parts[0]! });
  return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, variant: parts[2] });
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** Does `candidate` (from an index) run on `wanted`? Variants must agree when both are known. */
export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  const a = normalizePlatform(candidate);
  const b = normalizePlatform(wanted);
  if (a.os !== b.os || a.architecture !== b.architecture) return false;
  return !a.variant || !b.variant || a.variant === b.variant;
}

/** Picks the best entry: an exact variant match beats an entry without a variant. */
export function selectPlatform<T extends { platform?: Platform }>(
  entries: readonly T[],
  wanted: Platform,
): T | undefined {
  const matching = entries.filter((entry) => entry.platform && platformMatches(entry.platform, wanted));
  const target = normalizePlatform(wanted);
  return (
    matching.find((entry) => normalizePlatform(entry.platform!).variant === target.variant) ?? matching[0]
  );
}
