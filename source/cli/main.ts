#!/usr/bin/env node
/**
 * berth's entry point. With a verb it runs that docker-compatible command; with none it opens the
 * dashboard, whose ink/react modules are imported only then so plain commands start fast.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asBerthError } from '../engine/errors/index.js';
import { commandGroups } from './commands/index.js';
import { skipHelpCaching } from './skip-help-caching.js';
import type { GlobalOptions } from './context.js';
import { version } from './version.js';

async function openDashboard(argv: GlobalOptions): Promise<void> {
  const { runDashboard } = await import('./dashboard-command.js');
  await runDashboard(argv);
}

export async function main(args: string[]): Promise<number> {
  // docker's `-v` means --version only on its own; as a yargs alias it would shadow every
  // subcommand's -v (`system df -v`, `rm -v`).
  if (args.length === 1 && args[0] === '-v') args = ['--version'];
  let cli: Argv<GlobalOptions> = yargs(args)
    .scriptName('berth')
    .usage('Usage: berth [OPTIONS] COMMAND\n\nA daemonless container engine and terminal dashboard.')
    .option('root', {
      type: 'string',
      describe: 'Store location (default $BERTH_ROOT, /var/lib/berth as root, $XDG_DATA_HOME/berth)',
      global: true,
    })
    .version(version)
    .help()
    .alias('h', 'help')
    .strict()
    .completion('completion', 'Print a shell completion script (bash/zsh)')
    .parserConfiguration({ 'populate--': true })
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  for (const register of commandGroups) cli = register(cli);
  cli = cli.command('$0', 'Open the dashboard', {}, async (argv) =>
    openDashboard({ root: typeof argv.root === 'string' ? argv.root : undefined }),
  );
  try {
    await skipHelpCaching(cli).parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (thrown) {
    if (thrown instanceof UsageError) {
      process.stderr.write(`berth: ${thrown.message}\nSee 'berth --help'.\n`);
      return 125;
    }
    const error = asBerthError(thrown);
    process.stderr.write(`berth: ${error.message}\n`);
    if (process.env.BERTH_DEBUG && error.stack) process.stderr.write(error.stack + '\n');
    return error.exitCode;
  }
}

/** A flag or argument yargs refused; docker exits 125 for these. */
class UsageError extends Error {}

const code = await main(hideBin(process.argv));
process.exitCode = code;
