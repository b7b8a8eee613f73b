/**
 * `run`/`create --pull missing|always|never`: docker's client pulls the image when the daemon
 * says it is missing (or always first), drawing the pull on stderr so stdout stays the
 * container's output or id. Failures read as docker's daemon errors and exit 125.
 */
import { asBerthError, BerthError, InvalidArgumentError, type Engine } from '../../engine/index.js';
import type { ContainerRecord, CreateOptions } from '../../engine/container/index.js';
import { familiarString, parseNormalizedReference, withDefaultTag } from '../../engine/reference/index.js';
import { out } from '../context.js';
import { progressPrinter } from '../output/transfer-progress.js';

export type PullPolicy = 'missing' | 'always' | 'never';

const POLICIES: readonly string[] = ['missing', 'always', 'never'];

export function parsePullPolicy(value: string | undefined): PullPolicy {
  const text = value ?? 'missing';
  if (POLICIES.includes(text)) return text as PullPolicy;
  throw new InvalidArgumentError(
    `invalid pull option: '${text}': must be one of "always", "missing" or "never"`,
  );
}

export interface RunPullOptions {
  policy: PullPolicy;
  /** -q: no pull output. */
  quiet?: boolean;
}

/** docker's name for the image in messages (`busybox:latest`), or undefined when it names no repository. */
function familiarName(image: string): string | undefined {
  try {
    const reference = parseNormalizedReference(image);
    return familiarString(reference.digest ? reference : withDefaultTag(reference));
  } catch {
    return undefined;
  }
}

function daemonError(error: unknown): BerthError {
  const cause = asBerthError(error);
  return new BerthError(cause.code, `Error response from daemon: ${cause.message}`, 125, { cause });
}

async function pullForRun(engine: Engine, image: string, quiet: boolean): Promise<void> {
  try {
    const result = await engine.registry.pull(image, {
      onProgress: quiet ? undefined : progressPrinter(false, process.stderr),
    });
    if (quiet) return;
    out.error(`Digest: ${result.digest}`);
    const status = result.downloaded ? 'Downloaded newer image' : 'Image is up to date';
    out.error(`Status: ${status} for ${familiarString(parseNormalizedReference(result.reference))}`);
  } catch (error) {
    throw daemonError(error);
  } finally {
    // Idle keep-alive sockets would hold the process open until the container exits.
    await engine.registry.close();
  }
}

/** engine.containers.create, pulling the image first as the policy says. */
export async function createWithPull(
  engine: Engine,
  options: CreateOptions,
  pull: RunPullOptions,
): Promise<ContainerRecord> {
  const name = familiarName(options.image);
  const quiet = pull.quiet ?? false;
  if (pull.policy === 'always' && name) await pullForRun(engine, options.image, quiet);
  try {
    return await engine.containers.create(options);
  } catch (error) {
    if (!(error instanceof BerthError && error.code === 'IMAGE_NOT_FOUND')) throw error;
    if (pull.policy !== 'missing' || !name) {
      throw new BerthError(
        error.code,
        `Error response from daemon: No such image: ${name ?? options.image}`,
        125,
      );
    }
    if (!quiet) out.error(`Unable to find image '${name}' locally`);
  }
  await pullForRun(engine, options.image, quiet);
  return engine.containers.create(options);
}
