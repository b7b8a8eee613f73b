/**
 * `images`, `image ls|inspect|rm|prune|history|import|save|load|tag`, and docker's top-level
 * aliases `rmi`, `tag`, `history`, `import`, `save`, `load`. Handlers live in image-*-command.ts.
 */
import type { Argv } from 'yargs';
import type { GlobalOptions } from '../context.js';
import { historyCommand, inspectImagesCommand } from './image-inspect-command.js';
import { DOCKER_FLAGS_PARSING, listBuilder, listImagesCommand } from './image-list-command.js';
import { pruneImagesCommand, removeImagesCommand, tagCommand } from './image-remove-command.js';
import { importCommand, loadCommand, saveCommand } from './image-transfer-command.js';
import { inspectFormatOption, listFormatOption } from './common-options.js';

type Verb = (cli: Argv<GlobalOptions>, name: string) => Argv<GlobalOptions>;

const list: Verb = (cli, name) =>
  cli.command(`${name} [reference]`, 'List images', listBuilder, (argv) => listImagesCommand(argv));

const remove: Verb = (cli, name) =>
  cli.command(
    `${name} <images..>`,
    'Remove one or more images',
    (yargs) =>
      yargs
        .parserConfiguration(DOCKER_FLAGS_PARSING)
        .positional('images', { type: 'string', array: true, demandOption: true })
        .option('force', {
          alias: 'f',
          type: 'boolean',
          default: false,
          describe: 'Force removal of the image',
        })
        .option('no-prune', { type: 'boolean', default: false, describe: 'Do not delete untagged parents' }),
    (argv) => removeImagesCommand(argv),
  );

const tag: Verb = (cli, name) =>
  cli.command(
    `${name} <source> <target>`,
    'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    (yargs) =>
      yargs
        .positional('source', { type: 'string', demandOption: true })
        .positional('target', { type: 'string', demandOption: true }),
    (argv) => tagCommand(argv),
  );

const history: Verb = (cli, name) =>
  cli.command(
    `${name} <image>`,
    'Show the history of an image',
    (yargs) =>
      yargs
        .parserConfiguration(DOCKER_FLAGS_PARSING)
        .positional('image', { type: 'string', demandOption: true })
        .option('human', {
          alias: 'H',
          type: 'boolean',
          default: true,
          describe: 'Print sizes and dates in human readable format',
        })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only show image IDs' })
        .option('no-trunc', { type: 'boolean', default: false, describe: "Don't truncate output" })
        .option('format', listFormatOption),
    (argv) => historyCommand(argv),
  );

const importVerb: Verb = (cli, name) =>
  cli.command(
    `${name} <source> [reference]`,
    'Import the contents from a tarball (file, URL or - for stdin) to create an image',
    (yargs) =>
      yargs
        .positional('source', { type: 'string', demandOption: true })
        .positional('reference', { type: 'string' })
        .option('change', {
          alias: 'c',
          type: 'string',
          array: true,
          default: [] as string[],
          describe: 'Apply a Dockerfile instruction to the image',
        })
        .option('message', {
          alias: 'm',
          type: 'string',
          describe: 'Set commit message for the imported image',
        })
        .option('platform', { type: 'string', describe: 'Set platform (os/arch[/variant])' }),
    (argv) => importCommand(argv),
  );

const save: Verb = (cli, name) =>
  cli.command(
    `${name} <images..>`,
    'Save one or more images to a tar archive (streamed to STDOUT by default)',
    (yargs) =>
      yargs
        .positional('images', { type: 'string', array: true, demandOption: true })
        .option('output', { alias: 'o', type: 'string', describe: 'Write to a file, instead of STDOUT' })
        .option('format', { type: 'string', default: 'docker', describe: 'Archive format: docker or oci' }),
    (argv) => saveCommand(argv),
  );

const load: Verb = (cli, name) =>
  cli.command(
    name,
    'Load an image from a tar archive or STDIN',
    (yargs) =>
      yargs
        .option('input', {
          alias: 'i',
          type: 'string',
          describe: 'Read from tar archive file, instead of STDIN',
        })
        .option('quiet', {
          alias: 'q',
          type: 'boolean',
          default: false,
          describe: 'Suppress the load output',
        }),
    (argv) => loadCommand(argv),
  );

const inspect: Verb = (cli, name) =>
  cli.command(
    `${name} <images..>`,
    'Display detailed information on one or more images',
    (yargs) =>
      yargs
        .positional('images', { type: 'string', array: true, demandOption: true })
        .option('format', { alias: 'f', ...inspectFormatOption }),
    (argv) => inspectImagesCommand(argv),
  );

const prune: Verb = (cli, name) =>
  cli.command(
    name,
    'Remove unused images',
    (yargs) =>
      yargs
        .option('all', {
          alias: 'a',
          type: 'boolean',
          default: false,
          describe: 'Remove all unused images, not just dangling ones',
        })
        .option('force', {
          alias: 'f',
          type: 'boolean',
          default: false,
          describe: 'Do not prompt for confirmation',
        }),
    (argv) => pruneImagesCommand(argv),
  );

export function registerImageCommands(cli: Argv<GlobalOptions>): Argv<GlobalOptions> {
  let top = list(cli, 'images');
  top = remove(top, 'rmi');
  top = tag(top, 'tag');
  top = history(top, 'history');
  top = importVerb(top, 'import');
  top = save(top, 'save');
  top = load(top, 'load');
  return top.command('image', 'Manage images', (group) => {
    let sub = list(group, 'ls');
    sub = list(sub, 'list');
    sub = remove(sub, 'rm');
    sub = tag(sub, 'tag');
    sub = history(sub, 'history');
    sub = importVerb(sub, 'import');
    sub = save(sub, 'save');
    sub = load(sub, 'load');
    sub = inspect(sub, 'inspect');
    sub = prune(sub, 'prune');
    return sub.demandCommand(
      1,
      'image needs a subcommand (ls, inspect, rm, prune, history, import, save, load, tag)',
    );
  });
}
