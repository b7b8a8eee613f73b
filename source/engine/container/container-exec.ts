/**
 * `exec`: a new process inside a running container, entered through the builtin runtime's
 * `exec` (namespaces, cgroups, capabilities and security options as the container has them), or
 * `runc exec` for containers that run under runc.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  builtinRuntimePath,
  containerEnv,
  defaultRlimits,
  ociCapabilities,
  ociRuntimePath,
  resolveUser,
  rootfsDirs,
  type OciProcess,
} from '../runtime/index.js';
import { ContainerStateError } from './container-errors.js';
import { noNewPrivileges } from './create-container.js';
import { isOciRuntime } from './container-start.js';
import type { Containers } from './containers.js';

export interface ExecOptions {
  command: string[];
  env?: string[];
  workdir?: string;
  user?: string;
  tty?: boolean;
  interactive?: boolean;
  detach?: boolean;
  stdio?: StdioOptions;
}

export async function execInContainer(
  containers: Containers,
  nameOrId: string,
  options: ExecOptions,
): Promise<number> {
  const record = await containers.get(nameOrId);
  if (record.state.status === 'paused') {
    throw new ContainerStateError(`container ${record.id} is paused, unpause the container before exec`);
  }
  if (record.state.status !== 'running')
    throw new ContainerStateError(`container ${record.id} is not running`);
  const rootfs = rootfsDirs(containers.store.dir(record.id)).merged;
  const userSpec = options.user ?? record.config.User;
  const user = await resolveUser(rootfs, userSpec);
  const env = containerEnv(
    record.config.Env,
    options.env ?? [],
    record.config.Hostname,
    options.tty ?? false,
  );
  if (!env.some((entry) => entry.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  const process_: OciProcess = {
    terminal: options.tty ?? false,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    args: options.command,
    env,
    cwd: options.workdir || record.config.WorkingDir || '/',
    capabilities: ociCapabilities(
      {
        capAdd: record.hostConfig.CapAdd ?? undefined,
        capDrop: record.hostConfig.CapDrop ?? undefined,
        privileged: record.hostConfig.Privileged,
      },
      user.uid,
    ),
    rlimits: defaultRlimits(),
    noNewPrivileges: noNewPrivileges(record.hostConfig.SecurityOpt),
    cgroupsPath: (record.cgroup?.paths ?? []).join(':'),
  };
  const file = join(containers.store.dir(record.id), `exec-${randomBytes(6).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(process_));
  try {
    let command: string;
    let args: string[];
    if (isOciRuntime(record)) {
      command = ociRuntimePath(record.hostConfig.Runtime);
      const { cgroupsPath: _unused, ...plain } = process_;
      await writeFile(file, JSON.stringify(plain));
      args = [
        'exec',
        '--process',
        file,
        ...(options.detach ? ['--detach'] : []),
        ...(options.tty && !options.detach ? ['--tty'] : []),
        record.id,
      ];
    } else {
      command = builtinRuntimePath();
      args = [
        'exec',
        '--pid',
        String(record.state.pid),
        '--process',
        file,
        ...(options.tty ? ['--tty'] : []),
        ...(options.detach ? ['--detach'] : []),
      ];
    }
    const child = spawn(command, args, { stdio: options.stdio ?? 'inherit' });
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, signal) =>
        resolve(exitCode ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 0)),
      );
    });
    await containers.events.append({
      kind: 'container',
      action: 'exec_die',
      id: record.id,
      attributes: { name: record.name, exitCode: String(code) },
    });
    return code;
  } finally {
    await rm(file, { force: true });
  }
}
