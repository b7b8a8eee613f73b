/**
 * `build` (docker's classic-builder output: `Step 3/8 : RUN …`, ` ---> Using cache`,
 * `Successfully built …`) and `builder prune`. Dockerfile problems and failing steps exit 1.
 */
import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { checkDockerfile } from '../../engine/build/dockerfile/index.js';
import type { BuildEvent } from '../../engine/build/index.js';
import {
  familiarString,
  InvalidArgumentError,
  parseNormalizedReference,
  withDefaultTag,
} from '../../engine/index.js';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { humanSize } from '../output/human-units.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

interface BuildArgv extends GlobalOptions {
  /** yargs hands a lone `-` over as '' (and no argument as undefined). */
  path?: string;
  tag: string[];
  file?: string;
  'build-arg': string[];
  target?: string;
  /** `--no-cache` (yargs reads it as the negation of `cache`). */
  cache: boolean;
  network: string;
  quiet: boolean;
  iidfile?: string;
  label: string[];
  check: boolean;
  platform?: string;
  progress: string;
}

function goArch(): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
  return names[process.arch] ?? process.arch;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function keyValues(values: string[], flag: string, fromEnv: boolean): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq === 0) throw new InvalidArgumentError(`invalid argument "${value}" for "${flag}" flag`);
    if (eq < 0) result[value] = fromEnv ? process.env[value] : '';
    else result[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return result;
}

/** docker's classic builder lines, written as the events arrive. */
export function classicPrinter(write: (text: string) => void): (event: BuildEvent) => void {
  let atLineStart = true;
  let container: string | undefined;
  const line = (text: string): void => {
    if (!atLineStart) write('\n');
    write(text + '\n');
    atLineStart = true;
  };
  return (event) => {
    switch (event.type) {
      case 'context':
        line(`Sending build context to Docker daemon  ${humanSize(event.bytes)}`);
        break;
      case 'step':
        line(`Step ${event.step}/${event.total} : ${event.instruction}`);
        break;
      case 'triggers':
        line(`# Executing ${event.count} build trigger${event.count === 1 ? '' : 's'}`);
        break;
      case 'cached':
        line(' ---> Using cache');
        break;
      case 'running':
        container = event.container.slice(0, 12);
        line(` ---> Running in ${container}`);
        break;
      case 'output':
        write(event.data);
        atLineStart = event.data.endsWith('\n');
        break;
      case 'step-done':
        if (container) line(`Removing intermediate container ${container}`);
        container = undefined;
        line(` ---> ${event.imageId.replace(/^sha256:/, '').slice(0, 12)}`);
        break;
      case 'warning':
        line(`[Warning] ${event.message}`);
        break;
    }
  };
}

async function runCheck(argv: BuildArgv & { path: string }): Promise<void> {
  const name = argv.file ?? 'Dockerfile';
  const text = name === '-' ? await readStdin() : await readFile(resolve(argv.path, name), 'utf8');
  const result = checkDockerfile(text, name === '-' ? 'Dockerfile' : name.split('/').pop());
  for (const problem of result.problems) {
    const where = `${problem.file}:${problem.line}`;
    const label = problem.severity === 'error' ? 'ERROR' : 'WARNING';
    out.line(`${label}: ${problem.rule ? `${problem.rule} - ` : ''}${problem.message} (${where})`);
  }
  if (result.problems.length === 0) out.line('Check complete, no warnings found.');
  if (!result.ok) process.exitCode = 1;
}

async function runBuild(argv: BuildArgv & { path: string }): Promise<void> {
  for (const tag of argv.tag) {
    try {
      parseNormalizedReference(tag);
    } catch (error) {
      throw new InvalidArgumentError(
        `invalid argument "${tag}" for "-t, --tag" flag: ${(error as Error).message}`,
      );
    }
  }
  const network = argv.network === 'default' ? 'host' : argv.network;
  if (network !== 'host' && network !== 'none') {
    throw new InvalidArgumentError(
      `network mode "${argv.network}" not supported by berth build (host or none)`,
    );
  }
  if (argv.platform !== undefined && argv.platform !== `linux/${goArch()}` && argv.platform !== 'linux') {
    throw new InvalidArgumentError(
      `platform ${argv.platform} is not supported: berth builds for linux/${goArch()} only`,
    );
  }
  if (argv.check) return runCheck(argv);
  if (argv.path === '-' && argv.file === '-')
    throw new InvalidArgumentError("invalid argument: can't use stdin for both build context and dockerfile");
  const engine = await openEngine(argv);
  const builder = engine.builder;
  const dockerfileText = argv.file === '-' ? await readStdin() : undefined;
  const print = argv.quiet ? () => undefined : classicPrinter((text) => out.write(text));
  const result = await builder.build({
    context: argv.path === '-' ? process.stdin : argv.path,
    dockerfile: argv.file === '-' ? undefined : argv.file,
    dockerfileText,
    tags: argv.tag,
    buildArgs: keyValues(argv['build-arg'], '--build-arg', true),
    target: argv.target,
    noCache: !argv.cache,
    network,
    labels: keyValues(argv.label, '--label', false) as Record<string, string>,
    onEvent: print,
  });
  if (argv.iidfile) await writeFile(argv.iidfile, result.imageId);
  if (argv.quiet) {
    out.line(result.imageId);
    return;
  }
  out.line(`Successfully built ${result.imageId.replace(/^sha256:/, '').slice(0, 12)}`);
  for (const tag of argv.tag)
    out.line(`Successfully tagged ${familiarString(withDefaultTag(parseNormalizedReference(tag)))}`);
}

export function registerBuildCommands(cli: Argv<GlobalOptions>): Argv<GlobalOptions> {
  return cli
    .command(
      'build [path]',
      'Build an image from a Dockerfile',
      (yargs) =>
        yargs
          .positional('path', {
            type: 'string',
            describe: 'Context directory, or - for a tar or Dockerfile on stdin',
          })
          .option('tag', {
            alias: 't',
            type: 'string',
            array: true,
            nargs: 1,
            default: [],
            describe: 'Name and optionally a tag (name:tag)',
          })
          .option('file', {
            alias: 'f',
            type: 'string',
            describe: 'Name of the Dockerfile (default PATH/Dockerfile; - for stdin)',
          })
          .option('build-arg', {
            type: 'string',
            array: true,
            nargs: 1,
            default: [],
            describe: 'Set build-time variables (K=V, or K to take it from the environment)',
          })
          .option('target', {
            type: 'string',
            describe: 'Build the named stage (and the stages it needs) only',
          })
          .option('cache', {
            type: 'boolean',
            default: true,
            describe: 'Use the build cache (--no-cache: do not)',
          })
          .option('network', { type: 'string', default: 'host', describe: 'Network for RUN: host or none' })
          .option('quiet', {
            alias: 'q',
            type: 'boolean',
            default: false,
            describe: 'Print only the image ID',
          })
          .option('iidfile', { type: 'string', describe: 'Write the image ID to the file' })
          .option('label', {
            type: 'string',
            array: true,
            nargs: 1,
            default: [],
            describe: 'Set metadata on the image (K=V)',
          })
          .option('check', {
            type: 'boolean',
            default: false,
            describe: 'Check the Dockerfile and report problems without building',
          })
          .option('platform', { type: 'string', describe: `Target platform (only linux/${goArch()})` })
          .option('progress', {
            type: 'string',
            choices: ['auto', 'plain', 'tty'],
            default: 'auto',
            describe: 'Progress output',
          }),
      async (argv) => {
        const options = argv as unknown as BuildArgv;
        const path = options.path === undefined ? '.' : options.path === '' ? '-' : options.path;
        const file = options.file === '' ? '-' : options.file;
        return runBuild({ ...options, path, file });
      },
    )
    .command('builder', 'Manage the build cache', (yargs) =>
      yargs
        .command(
          'prune',
          'Remove build cache',
          (sub) =>
            sub
              .option('all', {
                alias: 'a',
                type: 'boolean',
                default: false,
                describe: 'Remove all build cache (the default here)',
              })
              .option('force', {
                alias: 'f',
                type: 'boolean',
                default: false,
                describe: 'Do not prompt for confirmation',
              }),
          async (argv) => {
            const engine = await openEngine(argv as GlobalOptions);
            const { reclaimed } = await engine.builder.pruneCache();
            out.line(`Total reclaimed space: ${humanSize(reclaimed)}`);
          },
        )
        .demandCommand(1, 'builder needs a subcommand: prune'),
    );
}
