/**
 * RUN: the command runs in a container of the image built so far, through berth's own runtime
 * (the same binary `berth run` uses), in the foreground, with its output streamed back. The
 * container has the build's network (host by default, as `docker build`, or none) and no
 * cgroup limits; the rootfs is the step's overlay, whose upper dir becomes the layer.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../errors/index.js';
import {
  buildSpec,
  builtinRuntimePath,
  containerEnv,
  resolveInRoot,
  resolveUser,
  type OciMount,
} from '../runtime/index.js';
import type { BuildRootfs } from './build-rootfs.js';

export interface RunRequest {
  rootfs: BuildRootfs;
  args: string[];
  /** Config Env plus the build args in scope. */
  env: string[];
  user: string;
  workdir: string;
  network: 'host' | 'none';
  /** Extra read-only files bound into the container (heredoc scripts). */
  binds?: OciMount[];
  onStart?: (containerId: string) => void;
  onOutput: (stream: 'stdout' | 'stderr', data: string) => void;
}

async function hostFile(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

async function writeEtcFiles(stateDir: string, hostname: string, network: 'host' | 'none'): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const hosts =
    network === 'host'
      ? await hostFile('/etc/hosts')
      : `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t${hostname}\n`;
  await writeFile(join(stateDir, 'hosts'), hosts);
  await writeFile(join(stateDir, 'hostname'), `${hostname}\n`);
  await writeFile(join(stateDir, 'resolv.conf'), network === 'host' ? await hostFile('/etc/resolv.conf') : '');
}

/** Runs the command; resolves with its exit status (128+signal when killed). */
export async function runCommand(request: RunRequest): Promise<number> {
  const { rootfs } = request;
  const containerId = randomBytes(32).toString('hex');
  const hostname = containerId.slice(0, 12);
  const stateDir = join(rootfs.dir, 'state');
  await writeEtcFiles(stateDir, hostname, request.network);
  const user = await resolveUser(rootfs.merged, request.user);
  const cwd = request.workdir || '/';
  await mkdir(await resolveInRoot(rootfs.merged, cwd), { recursive: true });
  const env = containerEnv(request.env, [], hostname, false);
  if (!env.some((entry) => entry.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  const spec = buildSpec({
    rootfs: rootfs.merged,
    stateDir,
    hostname,
    args: request.args,
    env,
    cwd,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    tty: false,
    network: { mode: request.network },
    cgroupsPath: '',
    binds: request.binds,
  });
  await writeFile(join(rootfs.dir, 'config.json'), JSON.stringify(spec));
  request.onStart?.(containerId);
  const child = spawn(builtinRuntimePath(), ['run', '--bundle', rootfs.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastStderr = '';
  const relay = (stream: 'stdout' | 'stderr', source: NodeJS.ReadableStream): Promise<void> =>
    new Promise((resolve) => {
      const decoder = new TextDecoder();
      source.on('data', (chunk: Buffer) => {
        const text = decoder.decode(chunk, { stream: true });
        if (stream === 'stderr') lastStderr = (lastStderr + text).slice(-4096);
        if (text) request.onOutput(stream, text);
      });
      source.on('end', () => {
        const rest = decoder.decode();
        if (rest) request.onOutput(stream, rest);
        resolve();
      });
    });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
  const [status] = await Promise.all([exited, relay('stdout', child.stdout), relay('stderr', child.stderr)]);
  const runtimeLine = lastStderr.trim().split('\n').at(-1) ?? '';
  if (status === 125 && runtimeLine.startsWith('berth-runtime:')) {
    throw new BerthError('BUILD_RUNTIME', `RUN could not start its container: ${runtimeLine}`, 1);
  }
  return status;
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}
