/**
 * Starting and stopping a container's port forwarder (build/berth-forward, source/native/forward):
 * one small daemon per container with published ports. It binds every host port before it
 * detaches, so a port in use fails here, and it exits by itself when the container's init does.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors/index.js';
import { nativeBinaryPath } from '../util/package-root.js';
import { isProcessAlive } from '../util/process-alive.js';
import { ForwarderError, PortUnavailableError } from './network-errors.js';
import type { PortMapping, PortProtocol } from './publish-spec.js';

/** Where published ports listen when `-p` names no address: only loopback carries traffic here. */
export const DEFAULT_HOST_IP = '127.0.0.1';
export const FORWARDER_PID_FILE = 'forward.pid';

/** build/berth-forward, or $BERTH_FORWARD_BINARY for tests of another build. */
export function forwarderBinaryPath(): string {
  const path = process.env.BERTH_FORWARD_BINARY || nativeBinaryPath('forward');
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new BerthError(
      'FORWARDER_MISSING',
      `the port forwarder ${path} is missing; run \`npm install\` or \`npm run build\` to compile it`,
      125,
    );
  }
  return path;
}

export interface StartForwarderOptions {
  /** The container's init: its network namespace is used and its exit ends the forwarder. */
  pid?: number;
  /** A network namespace file (/proc/PID/ns/net or a bind mount) instead of, or with, pid. */
  netnsPath?: string;
  /**
   * Claim the ports now and learn the init pid from this file once the runtime writes it (the
   * monitor's `<state>/pid`): lets `run` fail on a busy port before the container starts. A pid
   * file older than the forwarder is ignored (an earlier run's).
   */
  waitPidFile?: string;
  rules: readonly PortMapping[];
  /** The container's state directory: forward.pid lives there. */
  stateDir: string;
  defaultHostIp?: string;
  udpIdleSeconds?: number;
  /** With waitPidFile: give up (and free the ports) after this long without a pid. */
  waitTimeoutSeconds?: number;
  /**
   * How long the forwarder polls for the next packet of a chatty connection before it sleeps
   * (berth-forward --poll-us; its default when unset, 0: always sleep). Polling saves the
   * wake-ups that dominate a relayed round trip on a VM, at up to this much CPU per exchange.
   */
  pollMicroseconds?: number;
}

export interface ForwarderStarted {
  /** 0 when there was nothing to publish and no forwarder was started. */
  pid: number;
  /** The rules as bound: real host addresses and ports (a free port chosen for port 0). */
  bindings: PortMapping[];
}

function bracketed(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

export function forwarderRule(mapping: PortMapping, defaultHostIp = DEFAULT_HOST_IP): string {
  const last =
    mapping.hostPortLast !== undefined && mapping.hostPortLast > mapping.hostPort
      ? `-${mapping.hostPortLast}`
      : '';
  return `${bracketed(mapping.hostIp || defaultHostIp)}:${mapping.hostPort}${last}:${mapping.containerPort}/${mapping.protocol}`;
}

/** One line of the forwarder's report: `127.0.0.1:18080:80/tcp` or `[::1]:18080:80/tcp`. */
export function parseBindingLine(line: string): PortMapping | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+):(\d+)\/(tcp|udp)$/.exec(line.trim());
  if (!match) return undefined;
  return {
    hostIp: match[1] ?? match[2] ?? '',
    hostPort: Number(match[3]),
    containerPort: Number(match[4]),
    protocol: match[5] as PortProtocol,
  };
}

export function forwarderArgs(options: StartForwarderOptions): string[] {
  const args: string[] = [];
  if (options.waitPidFile) args.push('--wait-pid-file', options.waitPidFile);
  if (options.pid) args.push('--pid', String(options.pid));
  if (options.netnsPath) args.push('--netns', options.netnsPath);
  args.push('--pid-file', join(options.stateDir, FORWARDER_PID_FILE));
  if (options.udpIdleSeconds) args.push('--udp-timeout', String(options.udpIdleSeconds));
  if (options.waitTimeoutSeconds) args.push('--wait-timeout', String(options.waitTimeoutSeconds));
  if (options.pollMicroseconds !== undefined) args.push('--poll-us', String(options.pollMicroseconds));
  return [...args, ...options.rules.map((rule) => forwarderRule(rule, options.defaultHostIp))];
}

export async function startForwarder(options: StartForwarderOptions): Promise<ForwarderStarted> {
  if (options.rules.length === 0) return { pid: 0, bindings: [] };
  if (!options.pid && !options.netnsPath && !options.waitPidFile) {
    throw new ForwarderError('the forwarder needs the container pid, its network namespace or its pid file');
  }
  // A forwarder left from this container's previous run would hold the very ports we need.
  await stopForwarder(options.stateDir);
  const child = spawn(forwarderBinaryPath(), forwarderArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolvePromise(exitCode ?? 125));
  });
  if (code !== 0) {
    const line =
      stderr
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^berth-forward:\s*/, '') ?? '';
    if (/^(bind|listen) /.test(line)) throw new PortUnavailableError(line);
    throw new ForwarderError(`cannot publish ports: ${line || `the forwarder exited with status ${code}`}`);
  }
  const bindings = stdout
    .split('\n')
    .map(parseBindingLine)
    .filter((binding): binding is PortMapping => binding !== undefined);
  const pid = await forwarderPid(options.stateDir);
  if (!pid) throw new ForwarderError('the forwarder started but wrote no pid file');
  return { pid, bindings };
}

/** Running or not: a zombie waiting for its (slow) reaper counts as gone. */
export async function processRunning(pid: number): Promise<boolean> {
  return isProcessAlive(pid);
}

/** The pid of this state dir's forwarder while one runs (checked to be berth-forward, not a reused pid). */
export async function forwarderPid(stateDir: string): Promise<number | undefined> {
  const text = await readFile(join(stateDir, FORWARDER_PID_FILE), 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
  if (comm.trim() !== 'berth-forward' || !(await processRunning(pid))) return undefined;
  return pid;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/**
 * Stops the state dir's forwarder (SIGTERM, then SIGKILL after `graceMs`) and waits until it is
 * gone, so its ports are free when this resolves. False when none was running.
 */
export async function stopForwarder(stateDir: string, graceMs = 2000): Promise<boolean> {
  const pid = await forwarderPid(stateDir);
  if (!pid) {
    await rm(join(stateDir, FORWARDER_PID_FILE), { force: true });
    return false;
  }
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (await processRunning(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      if (Date.now() > deadline + 2000) break;
    }
    await new Promise((wake) => setTimeout(wake, 10));
  }
  await rm(join(stateDir, FORWARDER_PID_FILE), { force: true });
  return true;
}
