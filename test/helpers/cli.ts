/**
 * Runs the built `berth` (node dist/bin/berth.js, built by `npm run build`)
 * against a store root, as a user would, and returns what it printed and its exit code.
 */
import { execa, type Options } from 'execa';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../../dist/bin/berth.js', import.meta.url));

/**
 * Well under ava's 2-minute worker timeout: a hung command fails its own test (with its output)
 * instead of the worker being killed without its cleanup hooks.
 */
const DEFAULT_TIMEOUT_MS = 60_000;

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Bytes or text for stdin. */
  input?: string | Buffer;
  /** A file to read stdin from. */
  inputFile?: string;
  env?: Record<string, string>;
  timeout?: number;
  /** Return stdout as bytes (for `save` to stdout). */
  binary?: boolean;
}

export async function berth(root: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const execaOptions: Options = {
    reject: false,
    env: { ...options.env, BERTH_ROOT: root },
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    stripFinalNewline: false,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.inputFile !== undefined ? { inputFile: options.inputFile } : {}),
  };
  const result = await execa('node', [CLI_MAIN, '--root', root, ...args], execaOptions);
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

/** Like `berth` but stdout as raw bytes. */
export async function berthBytes(
  root: string,
  args: string[],
  options: CliOptions = {},
): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  const result = await execa('node', [CLI_MAIN, '--root', root, ...args], {
    reject: false,
    env: { ...options.env, BERTH_ROOT: root },
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    encoding: 'buffer',
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: Buffer.from(result.stdout as Uint8Array),
    stderr: Buffer.from(result.stderr as Uint8Array).toString('utf8'),
  };
}
