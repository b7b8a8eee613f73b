/**
 * Where the programs that run containers live: berth's own C runtime (build/berth-runtime, built at
 * npm install) and OCI runtime CLIs such as runc found on PATH.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError, InvalidArgumentError } from '../errors/index.js';
import { nativeBinaryPath, packageRoot } from '../util/package-root.js';

export type RuntimeName = 'builtin' | 'runc' | (string & {});

const packageTop = packageRoot;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** build/berth-runtime, or $BERTH_RUNTIME_BINARY for tests of another build. */
export function builtinRuntimePath(): string {
  const path = process.env.BERTH_RUNTIME_BINARY || nativeBinaryPath('runtime');
  if (!executable(path)) {
    throw new BerthError(
      'RUNTIME_MISSING',
      `the builtin runtime ${path} is missing; run \`npm install\` or \`npm run build\` to compile it`,
      125,
    );
  }
  return path;
}

/** An OCI runtime CLI (`--runtime runc`), by name on PATH or by absolute path. */
export function ociRuntimePath(name: string): string {
  if (name.includes('/')) {
    if (executable(name)) return name;
  } else {
    const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin']);
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (dir && executable(candidate)) return candidate;
    }
  }
  throw new InvalidArgumentError(`unknown or invalid runtime name: ${name}`);
}

export function validateRuntimeName(name: string): RuntimeName {
  if (name === 'builtin') return name;
  ociRuntimePath(name);
  return name;
}

/** An init for --init: docker's docker-init (tini) or a compatible one found on the host. */
export function initBinaryPath(): string {
  for (const name of ['docker-init', 'tini-static', 'tini', 'catatonit']) {
    try {
      return ociRuntimePath(name);
    } catch {
      // try the next one
    }
  }
  throw new InvalidArgumentError('--init needs an init binary (docker-init, tini or catatonit) on the host');
}

/** The CLI entry that the monitor execs on container exit (`container cleanup`). */
export function cliEntryCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // Running from source under tsx (tests): the monitor needs the same loader.
    const tsx = fileURLToPath(import.meta.resolve('tsx'));
    return [process.execPath, '--import', tsx, join(packageTop, 'source', 'cli', 'main.ts')];
  }
  // Prefer the one-file bundle `npm run build` makes (it starts ~3x faster); fall back to tsc's output.
  const bundle = join(packageTop, 'dist', 'bin', 'berth.js');
  return [process.execPath, existsSync(bundle) ? bundle : join(packageTop, 'dist', 'cli', 'main.js')];
}
