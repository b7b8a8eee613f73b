/**
 * docker's create/run/exec flags. Everything after the image (or container) is the command and
 * must reach the container untouched (`run busybox sh -c …`), so these verbs parse their own
 * argument list with halt-at-non-option instead of the global parser.
 */
import yargs, { type Argv } from 'yargs';
import {
  expandEnv,
  parseCpus,
  parseInteger,
  parseLabels,
  parseLogOpts,
  parseMemory,
  parseMemorySwap,
  parseRestartPolicy,
  readEnvFile,
  type CreateOptions,
} from '../../engine/container/index.js';
import { InvalidArgumentError, parsePublishSpecs, toPortBindings } from '../../engine/index.js';

/**
 * Repeatable flags (`-e A -e B`): one value per occurrence. Without `nargs: 1` a yargs array
 * option swallows the words after it, so `run -v x:/d busybox ls` lost its image.
 */
const list = { type: 'string', array: true, nargs: 1, default: [] as string[] } as const;

export function runFlags<T>(cli: Argv<T>) {
  return cli
    .option('detach', {
      alias: 'd',
      type: 'boolean',
      describe: 'Run in the background and print the container ID',
    })
    .option('interactive', { alias: 'i', type: 'boolean', describe: 'Keep STDIN open' })
    .option('tty', { alias: 't', type: 'boolean', describe: 'Allocate a pseudo-TTY' })
    .option('rm', { type: 'boolean', describe: 'Remove the container when it exits' })
    .option('name', { type: 'string' })
    .option('env', { alias: 'e', ...list })
    .option('env-file', list)
    .option('workdir', { alias: 'w', type: 'string' })
    .option('user', { alias: 'u', type: 'string' })
    .option('entrypoint', { type: 'string' })
    .option('hostname', { alias: 'h', type: 'string' })
    .option('label', { alias: 'l', ...list })
    .option('memory', { alias: 'm', type: 'string' })
    .option('memory-swap', { type: 'string' })
    .option('cpus', { type: 'string' })
    .option('cpu-shares', { alias: 'c', type: 'string' })
    .option('pids-limit', { type: 'string' })
    .option('restart', { type: 'string' })
    .option('network', { alias: 'net', type: 'string' })
    .option('runtime', { type: 'string' })
    .option('stop-signal', { type: 'string' })
    .option('stop-timeout', { type: 'string' })
    .option('init', { type: 'boolean' })
    .option('cap-add', list)
    .option('cap-drop', list)
    .option('privileged', { type: 'boolean' })
    .option('security-opt', list)
    .option('log-opt', list)
    .option('publish', { alias: 'p', ...list })
    .option('publish-all', { alias: 'P', type: 'boolean', describe: 'Publish all exposed ports' })
    .option('expose', list)
    .option('add-host', list)
    .option('dns', list)
    .option('dns-search', list)
    .option('dns-option', list)
    .option('volume', { alias: 'v', ...list })
    .option('mount', list)
    .option('tmpfs', list)
    .option('volumes-from', list)
    .option('root', { type: 'string' })
    .option('pull', { type: 'string', describe: 'Pull image before running ("always", "missing", "never")' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress the pull output' })
    .help(false)
    .version(false);
}

export type RunFlags = Awaited<ReturnType<ReturnType<typeof runFlags>['parse']>>;

/** Splits `… run [flags] IMAGE [COMMAND…]` into parsed flags, image and command. */
export async function parseRunArgs(
  args: string[],
): Promise<{ flags: RunFlags; image: string; command: string[] }> {
  const parser = runFlags(yargs(args))
    .parserConfiguration({ 'halt-at-non-option': true, 'populate--': false, 'greedy-arrays': false })
    .strict()
    .fail((message, error) => {
      throw error ?? new InvalidArgumentError(message);
    });
  const flags = await parser.parse();
  const rest = flags._.map(String);
  const [image, ...command] = rest;
  if (!image) throw new InvalidArgumentError('"run" requires at least 1 argument.');
  return { flags, image, command };
}

function one(value: string | undefined, parse: (text: string) => number): number | undefined {
  return value === undefined ? undefined : parse(value);
}

export async function createOptionsFrom(
  flags: RunFlags,
  image: string,
  command: string[],
): Promise<CreateOptions> {
  const envFiles = (await Promise.all(flags['env-file'].map(String).map(readEnvFile))).flat();
  return {
    image,
    command,
    name: flags.name,
    env: [...envFiles, ...expandEnv(flags.env.map(String))],
    workdir: flags.workdir,
    user: flags.user,
    entrypoint: flags.entrypoint,
    hostname: flags.hostname,
    labels: parseLabels(flags.label.map(String)),
    memory: one(flags.memory, (text) => parseMemory(text)),
    memorySwap: one(flags['memory-swap'], parseMemorySwap),
    nanoCpus: one(flags.cpus, parseCpus),
    cpuShares: one(flags['cpu-shares'], (text) => parseInteger(text, '-c, --cpu-shares', 0)),
    pidsLimit: one(flags['pids-limit'], (text) => parseInteger(text, '--pids-limit')),
    restart: flags.restart === undefined ? undefined : parseRestartPolicy(flags.restart),
    network: flags.network,
    runtime: flags.runtime,
    stopSignal: flags['stop-signal'],
    stopTimeout: one(flags['stop-timeout'], (text) => parseInteger(text, '--stop-timeout')),
    init: flags.init,
    capAdd: flags['cap-add'].map(String),
    capDrop: flags['cap-drop'].map(String),
    privileged: flags.privileged,
    securityOpt: flags['security-opt'].map(String),
    logOpts: parseLogOpts(flags['log-opt'].map(String)),
    tty: flags.tty,
    interactive: flags.interactive,
    autoRemove: flags.rm,
    portBindings: toPortBindings(parsePublishSpecs(flags.publish.map(String))),
    publishAll: flags['publish-all'],
    expose: flags.expose.map(String),
    addHosts: flags['add-host'].map(String),
    dns: flags.dns.map(String),
    dnsSearch: flags['dns-search'].map(String),
    dnsOptions: flags['dns-option'].map(String),
    binds: flags.volume.length > 0 ? flags.volume.map(String) : undefined,
    mountFlags: {
      volume: flags.volume.map(String),
      mount: flags.mount.map(String),
      tmpfs: flags.tmpfs.map(String),
      volumesFrom: flags['volumes-from'].map(String),
    },
  };
}

/** docker refuses a foreground `run -it` without a terminal to attach (`-d` and `create` are fine). */
export function assertTerminal(flags: RunFlags): void {
  if (flags.tty && flags.interactive && !flags.detach && !process.stdin.isTTY) {
    throw new InvalidArgumentError('the input device is not a TTY');
  }
}

/** The raw arguments after `verb` (the global parser stops there; see container-commands). */
export function argsAfter(dashDash: unknown, verb: string): string[] {
  const all = Array.isArray(dashDash) ? dashDash.map(String) : [];
  const index = all.indexOf(verb);
  return index < 0 ? all : all.slice(index + 1);
}
