/**
 * docker's container verbs, both top-level (`berth run`, `berth ps`) and under `berth container`
 * (`container ls`, `container rm`, `container prune`, and the monitor's hidden `container cleanup`).
 */
import type { Argv, CommandModule } from 'yargs';
import type { GlobalOptions } from '../context.js';
import { cleanupVerb, lifecycleVerbs } from './container-lifecycle-commands.js';
import { infoVerbs, pruneVerb } from './container-info-commands.js';
import { ioVerbs } from './container-io-commands.js';

type Args = GlobalOptions & Record<string, unknown>;
type Verb = CommandModule<GlobalOptions, Args>;

const topLevel: Verb[] = [...lifecycleVerbs, ...infoVerbs, ...ioVerbs];

export function registerContainerCommands(cli: Argv<GlobalOptions>): Argv<GlobalOptions> {
  let result = cli;
  for (const verb of topLevel) result = result.command(verb);
  return result.command('container', 'Manage containers', (group) => {
    let sub = group as Argv<GlobalOptions>;
    for (const verb of topLevel) sub = sub.command(verb);
    const ps = infoVerbs.find((verb) => String(verb.command) === 'ps');
    if (ps) sub = sub.command({ ...ps, command: 'ls', aliases: ['list'] });
    return sub.command(pruneVerb).command(cleanupVerb).demandCommand(1, '');
  });
}
