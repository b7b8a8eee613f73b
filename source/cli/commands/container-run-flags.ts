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

/** The flags that shape the process itself, the same for `run`/`create` and `exec`. */
export const processOptions = {
  interactive: { alias: 'i', type: 'boolean', describe: 'Keep STDIN open' },
  tty: { alias: 't', type: 'boolean', describe: 'Allocate a pseudo-TTY' },
  env: { alias: 'e', ...list, describe: 'Set environment variables' },
  workdir: { alias: 'w', type: 'string', describe: 'Working directory inside the container' },
  user: { alias: 'u', type: 'string', describe: 'Username or UID (format: <name|uid>[:<group|gid>])' },
} as const;

export function runFlags<T>(cli: Argv<T>) {
  return cli
    .option('detach', {
      alias: 'd',
      type: 'boolean',
      describe: 'Run in the background and print the container ID',
    })
    .options(processOptions)
    .option('rm', { type: 'boolean', describe: 'Remove the container when it exits' })
    .option('name', { type: 'string', describe: 'Assign a name to the container' })
    .option('env-file', { ...list, describe: 'Read in a file of environment variables' })
    .option('entrypoint', { type: 'string', describe: 'Overwrite the default ENTRYPOINT of the image' })
    .option('hostname', { alias: 'h', type: 'string', describe: 'Container host name' })
    .option('label', { alias: 'l', ...list, describe: 'Set meta data on a container' })
    .option('memory', { alias: 'm', type: 'string', describe: 'Memory limit' })
    .option('memory-swap', {
      type: 'string',
      describe: 'Swap limit equal to memory plus swap: -1 for unlimited swap',
    })
    .option('cpus', { type: 'string', describe: 'Number of CPUs' })
    .option('cpu-shares', { alias: 'c', type: 'string', describe: 'CPU shares (relative weight)' })
    .option('pids-limit', { type: 'string', describe: 'Tune container pids limit (-1 for unlimited)' })
    .option('restart', {
      type: 'string',
      describe: 'Restart policy to apply when a container exits (no, on-failure[:N], always, unless-stopped)',
    })
    .option('network', {
      alias: 'net',
      type: 'string',
      describe: 'Connect a container to a network (none, host, container:<name|id>)',
    })
    .option('runtime', { type: 'string', describe: 'Runtime to use for this container (berth, runc)' })
    .option('stop-signal', { type: 'string', describe: 'Signal to stop the container' })
    .option('stop-timeout', { type: 'string', describe: 'Timeout (in seconds) to stop a container' })
    .option('init', {
      type: 'boolean',
      describe: 'Run an init inside the container that forwards signals and reaps processes',
    })
    .option('cap-add', { ...list, describe: 'Add Linux capabilities' })
    .option('cap-drop', { ...list, describe: 'Drop Linux capabilities' })
    .option('privileged', { type: 'boolean', describe: 'Give extended privileges to this container' })
    .option('security-opt', { ...list, describe: 'Security Options' })
    .option('log-opt', { ...list, describe: 'Log driver options (max-size, max-file)' })
    .option('publish', { alias: 'p', ...list, describe: "Publish a container's port(s) to the host" })
    .option('publish-all', { alias: 'P', type: 'boolean', describe: 'Publish all exposed ports' })
    .option('expose', { ...list, describe: 'Expose a port or a range of ports' })
    .option('add-host', { ...list, describe: 'Add a custom host-to-IP mapping (host:ip)' })
    .option('dns', { ...list, describe: 'Set custom DNS servers' })
    .option('dns-search', { ...list, describe: 'Set custom DNS search domains' })
    .option('dns-option', { ...list, describe: 'Set DNS options' })
    .option('volume', { alias: 'v', ...list, describe: 'Bind mount a volume' })
    .option('mount', { ...list, describe: 'Attach a filesystem mount to the container' })
    .option('tmpfs', { ...list, describe: 'Mount a tmpfs directory' })
    .option('volumes-from', { ...list, describe: 'Mount volumes from the specified container(s)' })
    .option('root', { type: 'string', describe: 'Store location' })
    .option('pull', { type: 'string', describe: 'Pull image before running ("always", "missing", "never")' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress the pull output' })
    .help(false)
    .version(false);
}

export type RunFlags = Awaited<ReturnType<ReturnType<typeof runFlags>['parse']>>;

/**
 * Splits `… run [flags] IMAGE [COMMAND…]` into parsed flags, image and command; undefined when
 * `--help` came before the image and the help was printed instead (`-h` is docker's --hostname).
 */
export async function parseRunArgs(
  args: string[],
  verb: 'run' | 'create',
): Promise<{ flags: RunFlags; image: string; command: string[] } | undefined> {
  const parser = runFlags(yargs(args))
    .option('help', { type: 'boolean', describe: 'Show help' })
    .usage(`Usage: berth ${verb} [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n${RUN_VERB_TEXT[verb]}`)
    .parserConfiguration({ 'halt-at-non-option': true, 'populate--': false, 'greedy-arrays': false })
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      throw error ?? new InvalidArgumentError(message);
    });
  const flags = await parser.parse();
  if (flags.help) {
    process.stdout.write(`${await parser.getHelp()}\n`);
    return undefined;
  }
  const rest = flags._.map(String);
  const [image, ...command] = rest;
  if (!image) throw new InvalidArgumentError(`"${verb}" requires at least 1 argument.`);
  return { flags, image, command };
}

export const RUN_VERB_TEXT = {
  run: 'Create and run a new container from an image',
  create: 'Create a new container',
} as const;

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
