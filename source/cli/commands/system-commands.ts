/** `system df` (-v, --format): disk used by images, containers, volumes and build cache. */
import type { Argv } from 'yargs';
import type { SystemDf } from '../../engine/index.js';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { ago, humanSize } from '../output/human-units.js';
import { printList, type Column } from '../output/print-list.js';
import { formatTable } from '../output/table.js';
import { percentOf, shortImageId } from './image-format.js';
import { listFormatOption } from './common-options.js';

interface SummaryRow {
  type: string;
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

function summaryRows(df: SystemDf): SummaryRow[] {
  const containersSize = df.containers.reduce((sum, container) => sum + container.size, 0);
  const running = df.containers.filter((container) => container.status === 'running');
  const inactiveSize = df.containers
    .filter((container) => container.status !== 'running')
    .reduce((sum, container) => sum + container.size, 0);
  const volumesSize = df.volumes.reduce((sum, volume) => sum + volume.size, 0);
  const unusedVolumes = df.volumes
    .filter((volume) => volume.links === 0)
    .reduce((sum, volume) => sum + volume.size, 0);
  return [
    {
      type: 'Images',
      total: df.images.length,
      active: df.images.filter((image) => image.containers > 0).length,
      size: df.imagesSize,
      reclaimable: df.imagesReclaimable,
    },
    {
      type: 'Containers',
      total: df.containers.length,
      active: running.length,
      size: containersSize,
      reclaimable: inactiveSize,
    },
    {
      type: 'Local Volumes',
      total: df.volumes.length,
      active: df.volumes.filter((volume) => volume.links > 0).length,
      size: volumesSize,
      reclaimable: unusedVolumes,
    },
    {
      type: 'Build Cache',
      total: df.buildCache.count,
      active: 0,
      size: df.buildCache.size,
      reclaimable: df.buildCache.size,
    },
  ];
}

function printVerbose(df: SystemDf): void {
  out.line('Images space usage:\n');
  const images = df.images.flatMap((image) =>
    (image.repoTags.length > 0 ? image.repoTags : ['<none>:<none>']).map((tagged) => {
      const colon = tagged.lastIndexOf(':');
      return [
        tagged.slice(0, colon),
        tagged.slice(colon + 1),
        shortImageId(image.id),
        ago(Date.parse(image.created)),
        humanSize(image.size),
        humanSize(image.sharedSize),
        humanSize(image.uniqueSize),
        String(image.containers),
      ];
    }),
  );
  out.line(
    formatTable(
      ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
      images,
    ),
  );
  out.line('\nContainers space usage:\n');
  const containers = df.containers.map((container) => [
    container.id.slice(0, 12),
    container.image,
    JSON.stringify(container.command.length > 20 ? `${container.command.slice(0, 19)}…` : container.command),
    String(container.volumes),
    humanSize(container.size),
    container.created ? ago(Date.parse(container.created)) : '',
    container.status,
    container.name,
  ]);
  out.line(
    formatTable(
      ['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'],
      containers,
    ),
  );
  out.line('\nLocal Volumes space usage:\n');
  const volumes = df.volumes.map((volume) => [volume.name, String(volume.links), humanSize(volume.size)]);
  out.line(formatTable(['VOLUME NAME', 'LINKS', 'SIZE'], volumes));
  out.line('\nBuild cache usage: ' + humanSize(df.buildCache.size));
}

export async function systemDfCommand(
  argv: GlobalOptions & { verbose: boolean; format?: string },
): Promise<void> {
  const engine = await openEngine(argv);
  const df = await engine.images.systemDf();
  if (argv.verbose && !argv.format) {
    printVerbose(df);
    return;
  }
  const columns: Column<SummaryRow>[] = [
    { header: 'TYPE', field: 'Type', value: (row) => row.type },
    { header: 'TOTAL', field: 'TotalCount', value: (row) => String(row.total) },
    { header: 'ACTIVE', field: 'Active', value: (row) => String(row.active) },
    { header: 'SIZE', field: 'Size', value: (row) => humanSize(row.size) },
    {
      header: 'RECLAIMABLE',
      field: 'Reclaimable',
      value: (row) =>
        row.type === 'Build Cache'
          ? humanSize(row.reclaimable)
          : `${humanSize(row.reclaimable)} (${percentOf(row.reclaimable, row.size)})`,
    },
  ];
  printList(summaryRows(df), columns, { format: argv.format }, (row) => row.type, out.write);
}

export function registerSystemCommands(cli: Argv<GlobalOptions>): Argv<GlobalOptions> {
  return cli.command('system', 'Manage berth', (system) =>
    system
      .command(
        'df',
        'Show disk usage',
        (yargs) =>
          yargs
            // docker's -v: the global -v (version) takes it until main.ts scopes that alias.
            .option('verbose', {
              type: 'boolean',
              default: false,
              describe: 'Show detailed information on space usage',
            })
            .option('format', listFormatOption),
        (argv) => systemDfCommand(argv),
      )
      .demandCommand(1, 'system needs a subcommand (df)'),
  );
}
