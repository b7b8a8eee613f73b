/** exec, attach, cp, commit, export. */
import type { Argv, CommandModule } from 'yargs';
import yargs from 'yargs';
import { pipeline } from 'node:stream/promises';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { argsAfter, processOptions } from './container-run-flags.js';
import { connectAttach, finishAttached, relay } from './container-attach.js';
import {
  commitContainer,
  copyFromContainer,
  copyToContainer,
  execInContainer,
  expandEnv,
  exportContainer,
  type RunConfig,
} from '../../engine/container/index.js';
import { InvalidArgumentError } from '../../engine/index.js';

type Args = GlobalOptions & Record<string, unknown>;
type Verb = CommandModule<GlobalOptions, Args>;

const exec: Verb = {
  command: 'exec [args..]',
  describe: 'Execute a command in a running container',
  builder: (cli) =>
    cli.parserConfiguration({ 'halt-at-non-option': true, 'populate--': true }) as unknown as Argv<Args>,
  handler: async (argv) => {
    // help(false) first: it would otherwise drop the --help option declared below.
    const parser = yargs(argsAfter(argv['--'], 'exec'))
      .help(false)
      .usage(
        'Usage: berth exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nExecute a command in a running container',
      )
      .options(processOptions)
      .option('detach', { alias: 'd', type: 'boolean', describe: 'Run the command in the background' })
      .option('root', { type: 'string' })
      .option('help', { alias: 'h', type: 'boolean', describe: 'Show help' })
      .parserConfiguration({ 'halt-at-non-option': true, 'greedy-arrays': false })
      .strict()
      .version(false)
      .fail((message, error) => {
        throw error ?? new InvalidArgumentError(message);
      });
    const flags = await parser.parse();
    if (flags.help) {
      process.stdout.write(`${await parser.getHelp()}\n`);
      return;
    }
    const [container, ...command] = flags._.map(String);
    if (!container || command.length === 0)
      throw new InvalidArgumentError('"exec" requires at least 2 arguments.');
    const engine = await openEngine({ root: flags.root ?? argv.root });
    process.exitCode = await execInContainer(engine.containers, container, {
      command,
      env: expandEnv(flags.env.map(String)),
      workdir: flags.workdir,
      user: flags.user,
      tty: flags.tty,
      interactive: flags.interactive,
      detach: flags.detach,
      stdio: [flags.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'],
    });
  },
};

const attach: Verb = {
  command: 'attach <container>',
  describe: 'Attach local standard input, output, and error streams to a running container',
  builder: (cli) =>
    cli
      .option('stdin', { type: 'boolean', default: true, describe: 'Attach STDIN (--no-stdin: do not)' })
      .option('sig-proxy', { type: 'boolean', default: true }) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const record = await engine.containers.get(String(argv.container));
    if (record.state.status !== 'running')
      throw new InvalidArgumentError('You cannot attach to a stopped container, start it first');
    const dir = engine.containers.store.dir(record.id);
    const session = await connectAttach(dir);
    await relay(session, {
      stdin: record.config.OpenStdin && argv.stdin !== false,
      tty: record.config.Tty,
      proxySignals: argv['sig-proxy'] ? { engine, id: record.id } : undefined,
    });
    process.exitCode = await finishAttached(engine, record.id, dir, session.exitCode);
  },
};

/** `CONTAINER:PATH` or a host path. */
function splitCopyArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const colon = arg.indexOf(':');
  return colon > 0 ? { container: arg.slice(0, colon), path: arg.slice(colon + 1) || '/' } : { path: arg };
}

const cp: Verb = {
  command: 'cp <source> <destination>',
  describe: 'Copy files/folders between a container and the local filesystem',
  builder: (cli) =>
    cli
      .option('archive', { alias: 'a', type: 'boolean' })
      .option('follow-link', { alias: 'L', type: 'boolean' }) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const source = splitCopyArg(String(argv.source));
    const destination = splitCopyArg(String(argv.destination));
    const options = { archive: Boolean(argv.archive) };
    if (source.container && !destination.container) {
      await copyFromContainer(engine.containers, source.container, source.path, destination.path, options);
    } else if (!source.container && destination.container) {
      await copyToContainer(engine.containers, destination.container, source.path, destination.path, options);
    } else {
      throw new InvalidArgumentError('copying between containers is not supported');
    }
  },
};

/** -c "CMD [...]" / "ENV A=b" / "WORKDIR /x" / "USER u" / "LABEL k=v" / "ENTRYPOINT …" / "EXPOSE 80". */
export function applyChanges(changes: string[]): Partial<RunConfig> & { Env?: string[] } {
  const config: Partial<RunConfig> = {};
  const words = (text: string): string[] => {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // shell form
    }
    return ['/bin/sh', '-c', text];
  };
  for (const change of changes) {
    const match = /^\s*(\w+)\s+(.*)$/s.exec(change);
    if (!match) throw new InvalidArgumentError(`invalid change: ${change}`);
    const instruction = (match[1] ?? '').toUpperCase();
    const rest = (match[2] ?? '').trim();
    switch (instruction) {
      case 'CMD':
        config.Cmd = words(rest);
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = words(rest);
        break;
      case 'ENV':
        config.Env = [...(config.Env ?? []), ...(rest.includes('=') ? [rest] : [rest.replace(/\s+/, '=')])];
        break;
      case 'WORKDIR':
        config.WorkingDir = rest;
        break;
      case 'USER':
        config.User = rest;
        break;
      case 'LABEL': {
        const [key = '', value = ''] = rest.split('=', 2);
        config.Labels = { ...(config.Labels ?? {}), [key]: value.replace(/^"|"$/g, '') };
        break;
      }
      case 'EXPOSE':
        config.ExposedPorts = {
          ...(config.ExposedPorts ?? {}),
          [rest.includes('/') ? rest : `${rest}/tcp`]: {},
        };
        break;
      case 'STOPSIGNAL':
        config.StopSignal = rest;
        break;
      default:
        throw new InvalidArgumentError(`${instruction} is not a valid change command`);
    }
  }
  return config;
}

const commit: Verb = {
  command: 'commit <container> [repository]',
  describe: "Create a new image from a container's changes",
  builder: (cli) =>
    cli
      .option('change', { alias: 'c', type: 'string' })
      .option('message', { alias: 'm', type: 'string' })
      .option('author', { alias: 'a', type: 'string' })
      .option('pause', { alias: 'p', type: 'boolean', default: true }) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const record = await engine.containers.get(String(argv.container));
    const changes = applyChanges(
      argv.change === undefined ? [] : ([] as unknown[]).concat(argv.change).map(String),
    );
    if (changes.Env) changes.Env = [...record.config.Env, ...changes.Env];
    const id = await commitContainer(engine.containers, record.id, {
      ref: argv.repository === undefined ? undefined : String(argv.repository),
      comment: argv.message as string | undefined,
      author: argv.author as string | undefined,
      changes,
      pause: Boolean(argv.pause),
    });
    out.line(id);
  },
};

const exportVerb: Verb = {
  command: 'export <container>',
  describe: "Export a container's filesystem as a tar archive",
  builder: (cli) => cli.option('output', { alias: 'o', type: 'string' }) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const { stream, done } = await exportContainer(engine.containers, String(argv.container));
    const { createWriteStream } = await import('node:fs');
    if (!argv.output && process.stdout.isTTY)
      throw new InvalidArgumentError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    await pipeline(stream, argv.output ? createWriteStream(String(argv.output)) : process.stdout);
    await done;
  },
};

export const ioVerbs: Verb[] = [exec, attach, cp, commit, exportVerb];
