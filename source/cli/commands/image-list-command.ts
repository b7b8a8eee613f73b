/** `images` / `image ls`: docker's table, one row per tag, with -a, -q, --digests, --no-trunc, --filter, --format. */
import type { Argv } from 'yargs';
import { InvalidArgumentError, type ImageFilters, type ImageSummary } from '../../engine/index.js';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { ago, humanSize } from '../output/human-units.js';
import { printList, type Column } from '../output/print-list.js';
import { dockerTime, shortImageId } from './image-format.js';
import { listFormatOption } from './common-options.js';

export interface ImageRow {
  repository: string;
  tag: string;
  digest: string;
  image: ImageSummary;
}

function splitName(familiar: string, separator: '@' | ':'): [string, string] {
  const at = separator === '@' ? familiar.indexOf('@') : familiar.lastIndexOf(':');
  if (at <= 0 || (separator === ':' && familiar.slice(at).includes('/'))) return [familiar, '<none>'];
  return [familiar.slice(0, at), familiar.slice(at + 1)];
}

/** One row per repo:tag; untagged images show their digests' repositories, else <none>. */
export function imageRows(images: ImageSummary[]): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const image of images) {
    const digests = image.repoDigests.map((name) => splitName(name, '@'));
    const digestFor = (repository: string): string =>
      digests.find(([repo]) => repo === repository)?.[1] ?? '<none>';
    if (image.repoTags.length > 0) {
      for (const tagged of image.repoTags) {
        const [repository, tag] = splitName(tagged, ':');
        rows.push({ repository, tag, digest: digestFor(repository), image });
      }
    } else if (digests.length > 0) {
      for (const [repository, digest] of digests) rows.push({ repository, tag: '<none>', digest, image });
    } else {
      rows.push({ repository: '<none>', tag: '<none>', digest: '<none>', image });
    }
  }
  return rows;
}

export function parseImageFilters(values: string[]): ImageFilters {
  const filters: ImageFilters = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const key = equals > 0 ? value.slice(0, equals) : value;
    const argument = equals > 0 ? value.slice(equals + 1) : '';
    switch (key) {
      case 'dangling':
        if (!['true', 'false', '1', '0'].includes(argument)) {
          throw new InvalidArgumentError(`invalid filter 'dangling=${argument}'`);
        }
        filters.dangling = argument === 'true' || argument === '1';
        break;
      case 'reference':
        filters.reference = [...(filters.reference ?? []), argument];
        break;
      case 'before':
      case 'since':
        filters[key] = argument;
        break;
      default:
        throw new InvalidArgumentError(`invalid filter '${key}'`);
    }
  }
  return filters;
}

/** `--no-trunc` and `--no-prune` are flags of their own in docker, not negations of yargs booleans. */
export const DOCKER_FLAGS_PARSING = { 'boolean-negation': false, 'populate--': true } as const;

export function listBuilder<T>(yargs: Argv<T>) {
  return yargs
    .parserConfiguration(DOCKER_FLAGS_PARSING)
    .positional('reference', { type: 'string', describe: 'Only images matching REPOSITORY[:TAG]' })
    .option('all', {
      alias: 'a',
      type: 'boolean',
      default: false,
      describe: 'Show all images (default hides intermediate images)',
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only show image IDs' })
    .option('digests', { type: 'boolean', default: false, describe: 'Show digests' })
    .option('no-trunc', { type: 'boolean', default: false, describe: "Don't truncate output" })
    .option('filter', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'Filter output (dangling=true, reference=…, before=…, since=…)',
    })
    .option('format', listFormatOption);
}

type ListArgs = GlobalOptions & {
  reference?: string;
  all: boolean;
  quiet: boolean;
  digests: boolean;
  noTrunc: boolean;
  filter: string[];
  format?: string;
};

export async function listImagesCommand(argv: ListArgs): Promise<void> {
  const filters = parseImageFilters(argv.filter);
  if (argv.reference) filters.reference = [...(filters.reference ?? []), argv.reference];
  const engine = await openEngine(argv);
  const images = await engine.images.list({ all: argv.all, filters });
  const id = (row: ImageRow): string => (argv.noTrunc ? row.image.id : shortImageId(row.image.id));
  const columns: Column<ImageRow>[] = [
    { header: 'REPOSITORY', field: 'Repository', value: (row) => row.repository },
    { header: 'TAG', field: 'Tag', value: (row) => row.tag },
    ...(argv.digests ? [{ header: 'DIGEST', field: 'Digest', value: (row: ImageRow) => row.digest }] : []),
    { header: 'IMAGE ID', field: 'ID', value: id },
    { header: 'CREATED', field: 'CreatedSince', value: (row) => ago(Date.parse(row.image.created)) },
    { header: 'SIZE', field: 'Size', value: (row) => humanSize(row.image.size) },
  ];
  const extra: Column<ImageRow>[] = [
    { header: 'DIGEST', field: 'Digest', value: (row) => row.digest },
    { header: 'CREATED AT', field: 'CreatedAt', value: (row) => dockerTime(row.image.created) },
    { header: 'CONTAINERS', field: 'Containers', value: (row) => String(row.image.containers) },
    { header: 'VIRTUAL SIZE', field: 'VirtualSize', value: (row) => humanSize(row.image.size) },
    { header: 'SHARED SIZE', field: 'SharedSize', value: () => 'N/A' },
    { header: 'UNIQUE SIZE', field: 'UniqueSize', value: () => 'N/A' },
  ];
  // Template fields docker offers beyond the default columns are available to --format.
  const all = argv.format
    ? [...columns, ...extra.filter((c) => !columns.some((d) => d.field === c.field))]
    : columns;
  const shown = argv.format && argv.format.trim() !== 'table' ? all : columns;
  printList(imageRows(images), shown, { quiet: argv.quiet, format: argv.format }, id, out.write);
}
