/** `image inspect` (docker's JSON, or --format per image) and `history`. */
import { asBerthError, type ImageHistoryEntry, type ImageInspect } from '../../engine/index.js';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { ago, humanSize } from '../output/human-units.js';
import { printList, type Column } from '../output/print-list.js';
import { renderTemplate } from '../output/template.js';
import { dockerTime, ellipsis, shortImageId } from './image-format.js';

type InspectArgs = GlobalOptions & { images: string[]; format?: string };

export async function inspectImagesCommand(argv: InspectArgs): Promise<void> {
  const engine = await openEngine(argv);
  const found: ImageInspect[] = [];
  let exitCode = 0;
  for (const name of argv.images) {
    try {
      found.push(await engine.images.inspect(name));
    } catch (thrown) {
      const error = asBerthError(thrown);
      out.error(`berth: ${error.message}`);
      exitCode = Math.max(exitCode, error.exitCode);
    }
  }
  const format = argv.format?.trim();
  if (format && format !== 'json') {
    for (const image of found) out.line(renderTemplate(format, image));
  } else {
    // docker prints the array with four-space indentation, even when some names failed.
    out.line(JSON.stringify(found, null, 4));
  }
  if (exitCode !== 0) process.exitCode = exitCode;
}

type HistoryArgs = GlobalOptions & {
  image: string;
  human: boolean;
  quiet: boolean;
  noTrunc: boolean;
  format?: string;
};

export async function historyCommand(argv: HistoryArgs): Promise<void> {
  const engine = await openEngine(argv);
  const rows = await engine.images.history(argv.image);
  const id = (row: ImageHistoryEntry): string =>
    row.id === '<missing>' || argv.noTrunc ? row.id : shortImageId(row.id);
  const created = (row: ImageHistoryEntry): string => {
    if (!row.created) return '';
    return argv.human ? ago(Date.parse(row.created)) : row.created;
  };
  const createdBy = (row: ImageHistoryEntry): string => {
    const text = row.createdBy.replace(/\s+/g, ' ');
    return argv.noTrunc ? text : ellipsis(text, 45);
  };
  const size = (row: ImageHistoryEntry): string => (argv.human ? humanSize(row.size) : String(row.size));
  const columns: Column<ImageHistoryEntry>[] = [
    { header: 'IMAGE', field: 'ID', value: id },
    { header: 'CREATED', field: 'CreatedSince', value: created },
    { header: 'CREATED BY', field: 'CreatedBy', value: createdBy },
    { header: 'SIZE', field: 'Size', value: size },
    { header: 'COMMENT', field: 'Comment', value: (row) => row.comment },
  ];
  const extra: Column<ImageHistoryEntry>[] = [
    { header: 'CREATED AT', field: 'CreatedAt', value: (row) => dockerTime(row.created) },
  ];
  const shown = argv.format && argv.format.trim() !== 'table' ? [...columns, ...extra] : columns;
  printList(rows, shown, { quiet: argv.quiet, format: argv.format }, id, out.write);
}
