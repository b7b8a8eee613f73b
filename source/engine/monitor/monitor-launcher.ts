/**
 * Starts a container under its own monitor (`berth-runtime monitor`, PROTOCOL.md): the monitor
 * daemonizes, starts the container, and its foreground half exits once the container's pid is
 * known (0) or the start failed (125/126/127 with the reason on stderr).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, type ExitStatus } from '../errors/index.js';

export class ContainerStartError extends BerthError {
  constructor(message: string, exitCode: ExitStatus) {
    super(
      exitCode === 127 ? 'COMMAND_NOT_FOUND' : exitCode === 126 ? 'COMMAND_NOT_EXECUTABLE' : 'START_FAILED',
      message,
      exitCode,
    );
  }
}

export interface MonitorOptions {
  runtimeBinary: string;
  bundle: string;
  stateDir: string;
  logPath: string;
  logMaxSize?: number;
  logMaxFile?: number;
  tty: boolean;
  stdin: boolean;
  /** Hold the container's exec until the first attach client connects (foreground run). */
  attachWait: boolean;
  /** An OCI runtime CLI to use instead of the builtin. */
  ociRuntime?: string;
  /** The container's memory cgroup dir: the monitor records OOM kills from it in `exit`. */
  memoryCgroup?: string;
  exitCommand: string[];
}

export function monitorArgs(options: MonitorOptions): string[] {
  const args = ['monitor', '--bundle', options.bundle, '--state', options.stateDir, '--log', options.logPath];
  if (options.logMaxSize) args.push('--log-max-size', String(options.logMaxSize));
  if (options.logMaxFile) args.push('--log-max-file', String(options.logMaxFile));
  if (options.tty) args.push('--tty');
  if (options.stdin) args.push('--stdin');
  if (options.attachWait) args.push('--attach-wait');
  if (options.ociRuntime) args.push('--runtime', options.ociRuntime);
  if (options.memoryCgroup) args.push('--memory-cgroup', options.memoryCgroup);
  return [...args, '--', ...options.exitCommand];
}

/** docker's wording for the two "could not run the command" cases, from the runtime's line. */
export function startErrorFrom(code: number, stderr: string): ContainerStartError {
  const line =
    stderr
      .split('\n')
      .map((text) => text.trim())
      .filter(Boolean)
      .pop() ?? `the container's runtime exited with status ${code}`;
  const reason = line.replace(/^berth-runtime:\s*/, '');
  const status: ExitStatus = code === 126 || code === 127 ? code : 125;
  return new ContainerStartError(`failed to start container: ${reason}`, status);
}

export interface MonitorStarted {
  pid: number;
  monitorPid: number;
}

export async function startMonitor(options: MonitorOptions): Promise<MonitorStarted> {
  const child = spawn(options.runtimeBinary, monitorArgs(options), {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: options.stateDir,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 125 : 0)));
  });
  if (code !== 0) throw startErrorFrom(code, stderr);
  const readPid = async (name: string): Promise<number> =>
    Number.parseInt(await readFile(join(options.stateDir, name), 'utf8').catch(() => ''), 10);
  const pid = await readPid('pid');
  const monitorPid = await readPid('monitor.pid');
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new ContainerStartError(
      `failed to start container: the monitor reported no pid. ${stderr.trim()}`,
      125,
    );
  }
  return { pid, monitorPid: Number.isInteger(monitorPid) ? monitorPid : 0 };
}

export interface ExitRecord {
  exitCode: number;
  signal: number | null;
  finishedAt: string;
  /** What the monitor read from the memory cgroup at the exit; undefined when it could not. */
  oomKilled?: boolean;
}

/** The monitor's `<state>/exit`, written atomically when the container ends. */
export async function readExitRecord(stateDir: string): Promise<ExitRecord | undefined> {
  try {
    const value = JSON.parse(await readFile(join(stateDir, 'exit'), 'utf8')) as Partial<ExitRecord>;
    if (typeof value.exitCode !== 'number') return undefined;
    return {
      exitCode: value.exitCode,
      signal: typeof value.signal === 'number' ? value.signal : null,
      finishedAt: typeof value.finishedAt === 'string' ? value.finishedAt : new Date().toISOString(),
      ...(typeof value.oomKilled === 'boolean' ? { oomKilled: value.oomKilled } : {}),
    };
  } catch {
    return undefined;
  }
}
