/** Flags many verbs share, described once so `--help` words them the same everywhere. */

/** `--format` of a listing: a table by default. */
export const listFormatOption = {
  type: 'string',
  describe: "Format output: 'table', 'json', or a Go template",
} as const;

/** `--format` of `inspect`: JSON by default. */
export const inspectFormatOption = {
  type: 'string',
  describe: "Format output: 'json' or a Go template",
} as const;

/** `--no-trunc`, as yargs spells a negated boolean. */
export const truncOption = {
  type: 'boolean',
  default: true,
  describe: 'Truncate output (--no-trunc: do not)',
} as const;
