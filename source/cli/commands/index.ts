/**
 * Every verb group registers itself here. One file per group keeps main.ts short and lets
 * each domain own its flags; no group imports ink or react (the dashboard loads lazily).
 */
import type { Argv } from 'yargs';
import type { GlobalOptions } from '../context.js';
import { registerImageCommands } from './image-commands.js';

export type CommandGroup = (cli: Argv<GlobalOptions>) => Argv<GlobalOptions>;

export const commandGroups: CommandGroup[] = [registerImageCommands];
