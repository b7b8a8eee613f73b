/** create, run, start, stop, restart, kill, pause, unpause, rm, rename, wait, and the hidden cleanup. */
import type { Argv, CommandModule } from 'yargs';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { isActive } from './container-helpers.js';
import {
  argsAfter,
  assertTerminal,
  createOptionsFrom,
  parseRunArgs,
  RUN_VERB_TEXT,
} from './container-run-flags.js';
import { connectAttach, finishAttached, relay } from './container-attach.js';
import { createWithPull, parsePullPolicy } from './container-image-pull.js';
import { BerthError, type Engine } from '../../engine/index.js';
import { networkWarnings } from '../../engine/container/index.js';

type Args = GlobalOptions & Record<string, unknown>;
type Verb = CommandModule<GlobalOptions, Args>;

const names = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

/** How many containers one command works on at once (docker's CLI runs them in parallel too). */
const PARALLEL = 16;

/**
 * Runs `action` for each named container, a few at a time, printing what docker prints in the
 * order the names were given; exit 1 if any failed.
 */
async function eachContainer(
  list: string[],
  action: (name: string) => Promise<string | undefined>,
): Promise<void> {
  const results: Promise<string | undefined>[] = [];
  const running = new Set<Promise<unknown>>();
  let failed = false;
  let printed = 0;
  const report = async (): Promise<void> => {
    // Prints the finished prefix of the list, keeping docker's output order.
    while (printed < results.length) {
      const result = results[printed] as Promise<string | undefined>;
      printed++;
      try {
        const line = await result;
        if (line !== undefined) out.line(line);
      } catch (error) {
        failed = true;
        out.error(`Error response from daemon: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  for (const name of list) {
    if (running.size >= PARALLEL) await Promise.race(running);
    const result = action(name);
    results.push(result);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    running.add(settled);
    void settled.then(() => running.delete(settled));
  }
  await report();
  if (failed) process.exitCode = 1;
}

/**
 * Starts a container held until we attach (--attach-wait, so no output is lost), relays its
 * stdio, and returns its exit code once the record says it exited (or it is gone with --rm).
 */
async function runForeground(
  engine: Engine,
  id: string,
  options: { stdin: boolean; tty: boolean },
): Promise<number> {
  const record = await engine.containers.start(id, { attachWait: true });
  const dir = engine.containers.store.dir(record.id);
  const session = await connectAttach(dir);
  // The container is held until our first frame, so this one lands before it can exit. Without
  // a restart policy this process settles the exit itself (finishAttached), and says so: the
  // monitor then skips its own `container cleanup`, a second Node process that would compete
  // for the CPU. With a policy the monitor's cleanup decides the restart; we only say go.
  await session.release(record.hostConfig.RestartPolicy.Name === 'no');
  await relay(session, { stdin: options.stdin, tty: options.tty, proxySignals: { engine, id: record.id } });
  return finishAttached(engine, record.id, dir, session.exitCode);
}

const runVerb = (verb: 'run' | 'create'): Verb => ({
  command: `${verb} [args..]`,
  describe: RUN_VERB_TEXT[verb],
  builder: (cli) =>
    cli.parserConfiguration({ 'halt-at-non-option': true, 'populate--': true }) as unknown as Argv<Args>,
  handler: async (argv) => {
    const parsed = await parseRunArgs(argsAfter(argv['--'], verb), verb);
    if (!parsed) return;
    const { flags, image, command } = parsed;
    if (verb === 'run') assertTerminal(flags);
    const pull = { policy: parsePullPolicy(flags.pull), quiet: flags.quiet };
    const engine = await openEngine({ root: flags.root ?? argv.root });
    const options = await createOptionsFrom(flags, image, command);
    for (const warning of networkWarnings(options)) out.error(warning);
    const record = await createWithPull(engine, options, pull);
    if (verb === 'create') {
      out.line(record.id);
      return;
    }
    try {
      if (flags.detach) {
        await engine.containers.start(record.id);
        out.line(record.id);
        return;
      }
      process.exitCode = await runForeground(engine, record.id, {
        stdin: flags.interactive ?? false,
        tty: flags.tty ?? false,
      });
    } catch (error) {
      if (flags.rm) await engine.containers.remove(record.id, { force: true }).catch(() => undefined);
      throw error;
    }
  },
});

const simple = (
  command: string,
  describe: string,
  builder: (cli: Argv<GlobalOptions>) => Argv<Args>,
  handler: (engine: Engine, argv: Args) => Promise<void>,
): Verb => ({
  command,
  describe,
  builder,
  handler: async (argv) => handler(await openEngine(argv), argv),
});

/** A verb applied to every named container in turn, printing each name once done (docker's output). */
const perContainer = (
  command: string,
  describe: string,
  builder: (cli: Argv<GlobalOptions>) => Argv<Args>,
  act: (engine: Engine, name: string, argv: Args) => Promise<unknown>,
): Verb =>
  simple(command, describe, builder, async (engine, argv) =>
    eachContainer(names(argv.containers), async (name) => {
      await act(engine, name, argv);
      return name;
    }),
  );

export const lifecycleVerbs: Verb[] = [
  runVerb('run'),
  runVerb('create'),
  simple(
    'start <containers..>',
    'Start one or more stopped containers',
    (cli) =>
      cli
        .option('attach', { alias: 'a', type: 'boolean' })
        .option('interactive', { alias: 'i', type: 'boolean' }) as Argv<Args>,
    async (engine, argv) => {
      const list = names(argv.containers);
      if (argv.attach && list.length === 1) {
        const record = await engine.containers.get(list[0] as string);
        process.exitCode = await runForeground(engine, record.id, {
          stdin: Boolean(argv.interactive),
          tty: record.config.Tty,
        });
        return;
      }
      await eachContainer(list, async (name) => {
        const record = await engine.containers.get(name);
        if (record.state.status !== 'running') await engine.containers.start(record.id);
        return name;
      });
    },
  ),
  perContainer(
    'stop <containers..>',
    'Stop one or more running containers',
    (cli) =>
      cli
        .option('time', { alias: 't', type: 'number' })
        .option('signal', { alias: 's', type: 'string' }) as Argv<Args>,
    (engine, name, argv) =>
      engine.containers.stop(name, argv.time as number | undefined, argv.signal as string | undefined),
  ),
  perContainer(
    'restart <containers..>',
    'Restart one or more containers',
    (cli) => cli.option('time', { alias: 't', type: 'number' }) as Argv<Args>,
    (engine, name, argv) => engine.containers.restart(name, argv.time as number | undefined),
  ),
  perContainer(
    'kill <containers..>',
    'Kill one or more running containers',
    (cli) => cli.option('signal', { alias: 's', type: 'string', default: 'KILL' }) as Argv<Args>,
    (engine, name, argv) => engine.containers.kill(name, String(argv.signal)),
  ),
  perContainer(
    'pause <containers..>',
    'Pause all processes within one or more containers',
    (cli) => cli as Argv<Args>,
    (engine, name) => engine.containers.pause(name),
  ),
  perContainer(
    'unpause <containers..>',
    'Unpause all processes within one or more containers',
    (cli) => cli as Argv<Args>,
    (engine, name) => engine.containers.unpause(name),
  ),
  perContainer(
    'rm <containers..>',
    'Remove one or more containers',
    (cli) =>
      cli
        .option('force', { alias: 'f', type: 'boolean' })
        .option('volumes', { alias: 'v', type: 'boolean' }) as Argv<Args>,
    (engine, name, argv) =>
      engine.containers.remove(name, { force: Boolean(argv.force), volumes: Boolean(argv.volumes) }),
  ),
  simple(
    'rename <container> <newName>',
    'Rename a container',
    (cli) => cli as Argv<Args>,
    async (engine, argv) => {
      await engine.containers.rename(String(argv.container), String(argv.newName));
    },
  ),
  simple(
    'wait <containers..>',
    'Block until one or more containers stop, then print their exit codes',
    (cli) => cli as Argv<Args>,
    async (engine, argv) =>
      eachContainer(names(argv.containers), async (name) => String(await engine.containers.wait(name))),
  ),
];

/**
 * `container cleanup <id> --run <run id>`: run by the monitor when the container exits; never
 * shown in help. A run somebody already cleaned up (or a container already removed) is nothing
 * to do, and exits 0.
 */
export const cleanupVerb: Verb = {
  command: 'cleanup <container>',
  describe: false as unknown as string,
  builder: (cli) => cli.option('run', { type: 'string', hidden: true }) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const run = typeof argv.run === 'string' ? argv.run : undefined;
    try {
      await engine.containers.cleanup(String(argv.container), run);
    } catch (error) {
      if (!(run !== undefined && error instanceof BerthError && error.code === 'CONTAINER_NOT_FOUND'))
        throw error;
    }
  },
};

export { isActive };
