/** What every workload shares: which peers are here, medians, timing, and the CLI runners. */
import { execFileSync } from 'node:child_process';
import { execa, type Options } from 'execa';
import { CLI_MAIN } from '../helpers/cli.js';

export type PeerName = 'docker' | 'skopeo' | 'umoci';

const known = new Map<PeerName, boolean>();

/** docker counts only when a daemon answers (the bench's private dockerd sets DOCKER_HOST). */
export function peerAvailable(tool: PeerName): boolean {
  const cached = known.get(tool);
  if (cached !== undefined) return cached;
  let found = false;
  try {
    if (tool === 'docker') {
      if (process.env.BERTH_BENCH_DOCKER !== '0') {
        execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
        found = true;
      }
    } else {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      found = true;
    }
  } catch {
    found = false;
  }
  known.set(tool, found);
  return found;
}

/** Forget what was found (after the private dockerd started or stopped). */
export function forgetPeers(): void {
  known.clear();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

/**
 * The built berth CLI against `root`; output goes to /dev/null unless `capture` (so both tools
 * pay the same for writing what they print).
 */
export async function berthCli(
  root: string,
  args: string[],
  options: { capture?: boolean } = {},
): Promise<string> {
  const stdio: Options = options.capture ? {} : { stdout: 'ignore' };
  const result = await execa('node', [CLI_MAIN, '--root', root, ...args], {
    ...stdio,
    env: { BERTH_ROOT: root },
  });
  return typeof result.stdout === 'string' ? result.stdout : '';
}

/** The docker CLI (DOCKER_HOST from the bench's dockerd), output to /dev/null unless `capture`. */
export async function dockerCli(args: string[], options: { capture?: boolean } = {}): Promise<string> {
  const stdio: Options = options.capture ? { maxBuffer: 256 * 1024 * 1024 } : { stdout: 'ignore' };
  const result = await execa('docker', args, stdio);
  return typeof result.stdout === 'string' ? result.stdout : '';
}

/** Every docker container the bench makes carries this label, so cleanup removes only those. */
export const DOCKER_LABEL = 'berth-bench=1';

/** `docker run` flags for a container on the bench's dockerd: never a bridge, never a pull. */
export const DOCKER_RUN = ['--pull', 'never', '--network', 'none', '--label', DOCKER_LABEL];

export async function removeDockerContainers(): Promise<void> {
  if (!peerAvailable('docker')) return;
  const ids = (await dockerCli(['ps', '-aq', '--filter', `label=${DOCKER_LABEL}`], { capture: true }))
    .split('\n')
    .filter(Boolean);
  for (let i = 0; i < ids.length; i += 100) await dockerCli(['rm', '-f', ...ids.slice(i, i + 100)]);
}

export async function removeDockerImages(references: string[]): Promise<void> {
  if (!peerAvailable('docker') || references.length === 0) return;
  for (let i = 0; i < references.length; i += 100) {
    await execa('docker', ['image', 'rm', '-f', ...references.slice(i, i + 100)], { reject: false });
  }
}
