/**
 * docker's --format: `table`, `json`, or a Go-template subset: `{{.Field}}`, `{{.A.B}}`,
 * `{{json .}}`, `{{json .Field}}`, `{{upper .F}}`, `{{lower .F}}`, `{{truncate .F 12}}`,
 * `{{join .List ","}}`, `\t` and `\n` escapes, and a leading `table ` that prints a header row.
 */
import { InvalidArgumentError } from '../../engine/index.js';

export type Row = Record<string, unknown>;

function lookup(value: unknown, path: string): unknown {
  if (path === '.' || path === '') return value;
  let current: unknown = value;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function render(value: unknown): string {
  if (value === undefined || value === null) return '<no value>';
  if (typeof value === 'object')
    return Array.isArray(value) ? `[${value.map(render).join(' ')}]` : JSON.stringify(value);
  return String(value);
}

function evaluate(expression: string, row: unknown): string {
  const words = expression.trim().match(/"[^"]*"|\S+/g) ?? [];
  const [head, ...args] = words;
  const arg = (index: number): unknown => {
    const word = args[index];
    if (word === undefined) throw new InvalidArgumentError(`template: missing argument in {{${expression}}}`);
    if (word.startsWith('"')) return word.slice(1, -1);
    if (/^\d+$/.test(word)) return Number(word);
    return lookup(row, word);
  };
  switch (head) {
    case undefined:
      return '';
    case 'json':
      return JSON.stringify(arg(0));
    case 'upper':
      return render(arg(0)).toUpperCase();
    case 'lower':
      return render(arg(0)).toLowerCase();
    case 'truncate':
      return render(arg(0)).slice(0, Number(arg(1)));
    case 'join': {
      const list = arg(0);
      return Array.isArray(list) ? list.map(render).join(String(arg(1))) : render(list);
    }
    default:
      if (!head.startsWith('.')) throw new InvalidArgumentError(`template: function "${head}" not defined`);
      return render(lookup(row, head));
  }
}

export function renderTemplate(template: string, row: unknown): string {
  const text = template.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return text.replace(/\{\{(.*?)\}\}/g, (_match, expression: string) => evaluate(expression, row));
}

/** Header for `table {{.A}}\t{{.B}}`: docker prints each field name in upper snake case. */
export function templateHeader(template: string, headers: Record<string, string>): string {
  const text = template.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return text.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, field: string) => headers[field] ?? field.toUpperCase());
}
