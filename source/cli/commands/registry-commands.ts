/** `pull`, `push`, `login`, `logout`: the registry verbs, drawing the engine's transfer events. */
import { createInterface } from 'node:readline';
import type { Argv } from 'yargs';
import { InvalidArgumentError } from '../../engine/errors/index.js';
import { familiarString, parseNormalizedReference } from '../../engine/reference/index.js';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { progressPrinter } from '../output/transfer-progress.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal; `secret` hides what is typed. */
async function prompt(question: string, secret: boolean): Promise<string> {
  if (!process.stdin.isTTY)
    throw new InvalidArgumentError('cannot prompt for credentials: not a terminal (use --password-stdin)');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (secret) {
    const write = (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text) => {
      if (text.startsWith(question)) write(text);
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    if (secret) out.line();
  }
}

export function registerRegistryCommands(cli: Argv<GlobalOptions>): Argv<GlobalOptions> {
  return cli
    .command(
      'pull <name>',
      'Download an image from a registry',
      (y) =>
        y
          .positional('name', { type: 'string', demandOption: true, describe: 'NAME[:TAG|@DIGEST]' })
          .option('platform', { type: 'string', describe: 'Platform to pull (os/arch[/variant])' })
          .option('all-tags', {
            alias: 'a',
            type: 'boolean',
            default: false,
            describe: 'Download all tagged images',
          })
          .option('quiet', {
            alias: 'q',
            type: 'boolean',
            default: false,
            describe: 'Suppress verbose output',
          }),
      async (argv) => {
        const engine = await openEngine(argv);
        const onProgress = argv.quiet ? undefined : progressPrinter(false);
        const options = { platform: argv.platform, onProgress };
        try {
          const results = argv['all-tags']
            ? await engine.registry.pullAllTags(argv.name, options)
            : [await engine.registry.pull(argv.name, options)];
          for (const result of results) {
            const familiar = familiarString(parseNormalizedReference(result.reference));
            if (!argv.quiet) {
              out.line(`Digest: ${result.digest}`);
              out.line(
                `Status: ${result.downloaded ? 'Downloaded newer image' : 'Image is up to date'} for ${familiar}`,
              );
            }
            out.line(result.reference);
          }
        } finally {
          await engine.registry.close();
        }
      },
    )
    .command(
      'push <name>',
      'Upload an image to a registry',
      (y) =>
        y
          .positional('name', { type: 'string', demandOption: true, describe: 'NAME[:TAG]' })
          .option('all-tags', {
            alias: 'a',
            type: 'boolean',
            default: false,
            describe: 'Push all local tags of the repository',
          })
          .option('quiet', {
            alias: 'q',
            type: 'boolean',
            default: false,
            describe: 'Suppress verbose output',
          }),
      async (argv) => {
        const engine = await openEngine(argv);
        try {
          const results = await engine.registry.push(argv.name, {
            allTags: argv['all-tags'],
            onProgress: argv.quiet ? undefined : progressPrinter(true),
          });
          for (const result of results) {
            const tag = result.reference.slice(result.reference.lastIndexOf(':') + 1);
            out.line(argv.quiet ? result.reference : `${tag}: digest: ${result.digest} size: ${result.size}`);
          }
        } finally {
          await engine.registry.close();
        }
      },
    )
    .command(
      'login [server]',
      'Log in to a registry (credentials go to ~/.docker/config.json)',
      (y) =>
        y
          .positional('server', { type: 'string', describe: 'Registry (default Docker Hub)' })
          .option('username', { alias: 'u', type: 'string', describe: 'Username' })
          .option('password', {
            alias: 'p',
            type: 'string',
            describe: 'Password (insecure: prefer --password-stdin)',
          })
          .option('password-stdin', {
            type: 'boolean',
            default: false,
            describe: 'Take the password from stdin',
          }),
      async (argv) => {
        if (argv.password !== undefined && argv['password-stdin']) {
          throw new InvalidArgumentError('--password and --password-stdin are mutually exclusive');
        }
        if (argv['password-stdin'] && !argv.username) {
          throw new InvalidArgumentError('must provide --username with --password-stdin');
        }
        if (argv.password !== undefined)
          out.error('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
        const username = argv.username ?? (await prompt('Username: ', false));
        const password = argv['password-stdin']
          ? await readStdin()
          : (argv.password ?? (await prompt('Password: ', true)));
        if (!username || !password) throw new InvalidArgumentError('username and password are required');
        const engine = await openEngine(argv);
        try {
          await engine.registry.login(argv.server, { username, password });
          out.line('Login Succeeded');
        } finally {
          await engine.registry.close();
        }
      },
    )
    .command(
      'logout [server]',
      'Log out from a registry',
      (y) => y.positional('server', { type: 'string', describe: 'Registry (default Docker Hub)' }),
      async (argv) => {
        const engine = await openEngine(argv);
        const { server, removed } = await engine.registry.logout(argv.server);
        out.line(removed ? `Removing login credentials for ${server}` : `Not logged in to ${server}`);
      },
    );
}
