/** `images`, `image ls|inspect|rm|prune|history|import|save|load|tag`, `rmi`, `tag`, … */
import type { Argv } from 'yargs';
import type { GlobalOptions } from '../context.js';

export function registerImageCommands(cli: Argv<GlobalOptions>): Argv<GlobalOptions> {
  return cli;
}
