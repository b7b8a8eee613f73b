/** `volume create|ls|inspect|rm|prune`, with docker's flags and output. */
import type { Argv } from 'yargs';
import { asBerthError, InvalidArgumentError } from '../../engine/index.js';
import type { VolumeListEntry } from '../../engine/volume/index.js';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { humanSize } from '../output/human-units.js';
import { printList, type Column } from '../output/print-list.js';
import { renderTemplate } from '../output/template.js';
import { confirm } from '../output/confirm.js';
import { inspectFormatOption, listFormatOption } from './common-options.js';

/** One value per occurrence (`--label a=1 --label b=2 NAME`), so a list flag never eats NAME. */
const repeated = { type: 'string', array: true, nargs: 1, default: [] as string[] } as const;
const parsing = { 'boolean-negation': false } as const;

function keyValues(entries: string[], what: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (key === '') throw new InvalidArgumentError(`invalid ${what}: ${entry}`);
    map[key] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  return map;
}

type CreateArgs = GlobalOptions & {
  volume?: string;
  name?: string;
  driver: string;
  label: string[];
  opt: string[];
};

async function createCommand(argv: CreateArgs): Promise<void> {
  if (argv.volume && argv.name && argv.volume !== argv.name) {
    throw new InvalidArgumentError(
      `conflicting options: either specify --name or provide positional arg, not both`,
    );
  }
  const engine = await openEngine(argv);
  const name = argv.volume ?? argv.name;
  const { volume } = await engine.volumes.create({
    ...(name ? { name } : {}),
    driver: argv.driver,
    labels: keyValues(argv.label, 'label'),
    driverOptions: keyValues(argv.opt, 'option'),
  });
  out.line(volume.name);
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

const columns: Column<VolumeListEntry>[] = [
  { header: 'DRIVER', field: 'Driver', value: (volume) => volume.driver },
  { header: 'VOLUME NAME', field: 'Name', value: (volume) => volume.name },
];
/** Fields a --format template may use besides the table's own. */
const extraColumns: Column<VolumeListEntry>[] = [
  { header: 'SCOPE', field: 'Scope', value: () => 'local' },
  { header: 'MOUNTPOINT', field: 'Mountpoint', value: (volume) => volume.mountpoint },
  { header: 'LABELS', field: 'Labels', value: (volume) => labelText(volume.labels) },
  {
    header: 'CREATED AT',
    field: 'CreatedAt',
    value: (volume) => new Date(volume.created).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  },
  { header: 'LINKS', field: 'Links', value: (volume) => String(volume.usedBy.length) },
  { header: 'SIZE', field: 'Size', value: () => 'N/A' },
];

type ListArgs = GlobalOptions & { quiet: boolean; filter: string[]; format?: string };

async function listCommand(argv: ListArgs): Promise<void> {
  const engine = await openEngine(argv);
  const volumes = await engine.volumes.list(argv.filter);
  const format = argv.format?.trim();
  const usable = format && format !== 'table' ? [...columns, ...extraColumns] : columns;
  printList(volumes, usable, { quiet: argv.quiet, format }, (volume) => volume.name, out.write);
}

type InspectArgs = GlobalOptions & { volumes: string[]; format?: string };

async function inspectCommand(argv: InspectArgs): Promise<void> {
  const engine = await openEngine(argv);
  const found: unknown[] = [];
  let exitCode = 0;
  for (const name of argv.volumes) {
    try {
      found.push(await engine.volumes.inspect(name));
    } catch (thrown) {
      const error = asBerthError(thrown);
      out.error(`berth: ${error.message}`);
      exitCode = Math.max(exitCode, error.exitCode);
    }
  }
  const format = argv.format?.trim();
  if (!format) out.line(JSON.stringify(found, null, 4));
  else if (format === 'json') for (const item of found) out.line(JSON.stringify(item));
  else for (const item of found) out.line(renderTemplate(format, item));
  if (exitCode !== 0) process.exitCode = exitCode;
}

type RemoveArgs = GlobalOptions & { volumes: string[]; force: boolean };

/** Removes each volume in turn; a failure is reported and the rest still go, as docker does. */
async function removeCommand(argv: RemoveArgs): Promise<void> {
  const engine = await openEngine(argv);
  let exitCode = 0;
  for (const name of argv.volumes) {
    try {
      await engine.volumes.remove(name, { force: argv.force });
      out.line(name);
    } catch (thrown) {
      const error = asBerthError(thrown);
      out.error(`berth: ${error.message}`);
      exitCode = Math.max(exitCode, error.exitCode);
    }
  }
  if (exitCode !== 0) process.exitCode = exitCode;
}

type PruneArgs = GlobalOptions & { all: boolean; force: boolean; filter: string[] };

async function pruneCommand(argv: PruneArgs): Promise<void> {
  const filters = argv.filter.filter((filter) => !/^all=/i.test(filter));
  const all = argv.all || argv.filter.some((filter) => /^all=(true|1)$/i.test(filter));
  if (!argv.force) {
    const warning = all
      ? 'WARNING! This will remove all local volumes not used by at least one container.'
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!(await confirm(`${warning}\nAre you sure you want to continue? [y/N] `))) return;
  }
  const engine = await openEngine(argv);
  const result = await engine.volumes.prune({ all, filters });
  if (result.deleted.length > 0) {
    out.line('Deleted Volumes:');
    for (const name of result.deleted) out.line(name);
    out.line();
  }
  out.line(`Total reclaimed space: ${humanSize(result.reclaimed)}`);
}

export function registerVolumeCommands(cli: Argv<GlobalOptions>): Argv<GlobalOptions> {
  return cli.command('volume', 'Manage volumes', (group) =>
    group
      .command(
        'create [volume]',
        'Create a volume',
        (yargs) =>
          yargs
            .parserConfiguration(parsing)
            .positional('volume', { type: 'string', describe: 'Volume name (random when omitted)' })
            .option('name', { type: 'string', hidden: true, describe: 'Volume name' })
            .option('driver', {
              alias: 'd',
              type: 'string',
              default: 'local',
              describe: 'Volume driver name',
            })
            .option('label', { ...repeated, describe: 'Set metadata for a volume' })
            .option('opt', { alias: 'o', ...repeated, describe: 'Set driver specific options' }),
        (argv) => createCommand(argv),
      )
      .command(
        ['ls', 'list'],
        'List volumes',
        (yargs) =>
          yargs
            .parserConfiguration(parsing)
            .option('quiet', {
              alias: 'q',
              type: 'boolean',
              default: false,
              describe: 'Only display volume names',
            })
            .option('filter', {
              alias: 'f',
              ...repeated,
              describe: 'Filter output (dangling=true, name=…, label=…, driver=…)',
            })
            .option('format', listFormatOption),
        (argv) => listCommand(argv),
      )
      .command(
        'inspect <volumes..>',
        'Display detailed information on one or more volumes',
        (yargs) =>
          yargs
            .positional('volumes', { type: 'string', array: true, demandOption: true })
            .option('format', { alias: 'f', ...inspectFormatOption }),
        (argv) => inspectCommand(argv),
      )
      .command(
        ['rm <volumes..>', 'remove <volumes..>'],
        'Remove one or more volumes',
        (yargs) =>
          yargs
            .parserConfiguration(parsing)
            .positional('volumes', { type: 'string', array: true, demandOption: true })
            .option('force', {
              alias: 'f',
              type: 'boolean',
              default: false,
              describe: 'Do not fail when a volume does not exist',
            }),
        (argv) => removeCommand(argv),
      )
      .command(
        'prune',
        'Remove unused local volumes',
        (yargs) =>
          yargs
            .parserConfiguration(parsing)
            .option('all', {
              alias: 'a',
              type: 'boolean',
              default: false,
              describe: 'Remove all unused volumes, not just anonymous ones',
            })
            .option('force', {
              alias: 'f',
              type: 'boolean',
              default: false,
              describe: 'Do not prompt for confirmation',
            })
            .option('filter', { ...repeated, describe: 'Provide filter values (label=…, label!=…)' }),
        (argv) => pruneCommand(argv),
      )
      .demandCommand(1, 'volume needs a subcommand (create, ls, inspect, rm, prune)'),
  );
}
