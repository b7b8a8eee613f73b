/**
 * Every verb group registers itself here. One file per group keeps main.ts short and lets
 * each domain own its flags; no group imports ink or react (the dashboard loads lazily).
 */
import type { Argv } from 'yargs';
import type { GlobalOptions } from '../context.js';
import { registerImageCommands } from './image-commands.js';
import { registerBuildCommands } from './build-commands.js';
import { registerSystemCommands } from './system-commands.js';
import { registerRegistryCommands } from './registry-commands.js';
import { registerContainerCommands } from './container-commands.js';
import { registerVolumeCommands } from './volume-commands.js';

export type CommandGroup = (cli: Argv<GlobalOptions>) => Argv<GlobalOptions>;

export const commandGroups: CommandGroup[] = [
  registerImageCommands,
  registerRegistryCommands,
  registerSystemCommands,
  registerContainerCommands,
  registerVolumeCommands,
  registerBuildCommands,
];
