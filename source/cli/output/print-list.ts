/**
 * Prints a list command's rows honouring docker's output flags: `-q` (ids only), `--format json`,
 * `--format table` / a Go template, else the default table.
 */
import { formatTable } from './table.js';
import { renderTemplate, templateHeader, type Row } from './template.js';

export interface Column<R> {
  /** Header as docker prints it, e.g. "REPOSITORY". */
  header: string;
  /** Template field name, e.g. "Repository" for {{.Repository}}. */
  field: string;
  value: (row: R) => string;
}

export interface ListOutputOptions {
  quiet?: boolean;
  format?: string;
}

export function printList<R>(
  rows: R[],
  columns: Column<R>[],
  options: ListOutputOptions,
  quietValue: (row: R) => string,
  write: (text: string) => void = (text) => process.stdout.write(text),
): void {
  const asFields = (row: R): Row =>
    Object.fromEntries(columns.map((column) => [column.field, column.value(row)]));
  if (options.quiet) {
    for (const row of rows) write(quietValue(row) + '\n');
    return;
  }
  const format = options.format?.trim();
  if (format === 'json') {
    for (const row of rows) write(JSON.stringify(asFields(row)) + '\n');
    return;
  }
  if (format && format !== 'table') {
    const isTable = format.startsWith('table ');
    const template = isTable ? format.slice('table '.length) : format;
    if (isTable) {
      const headers = Object.fromEntries(columns.map((column) => [column.field, column.header]));
      const headerLine = templateHeader(template, headers);
      const body = rows.map((row) => renderTemplate(template, asFields(row)).split('\t'));
      write(formatTable(headerLine.split('\t'), body) + '\n');
    } else {
      for (const row of rows) write(renderTemplate(template, asFields(row)) + '\n');
    }
    return;
  }
  const body = rows.map((row) => columns.map((column) => column.value(row)));
  write(
    formatTable(
      columns.map((column) => column.header),
      body,
    ) + '\n',
  );
}
