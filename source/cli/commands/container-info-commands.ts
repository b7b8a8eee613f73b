/** ps, inspect, logs, top, stats, port, diff, container prune. */
import type { Argv, CommandModule } from 'yargs';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { printList, type Column } from '../output/print-list.js';
import { formatTable } from '../output/table.js';
import { humanSize } from '../output/human-units.js';
import {
  commandText,
  diffContainer,
  inspectContainer,
  isActive,
  layerSize,
  matchesLabel,
  parseUntil,
  pruneContainers,
  sampleStats,
  statusText,
  topProcesses,
  type ContainerRecord,
} from '../../engine/container/index.js';
import { rootfsDirs } from '../../engine/runtime/index.js';
import { readLogs } from '../../engine/monitor/index.js';
import { InvalidArgumentError, portCommandLines, portsColumn } from '../../engine/index.js';
import { inspectFormatOption, listFormatOption, truncOption } from './common-options.js';

type Args = GlobalOptions & Record<string, unknown>;
type Verb = CommandModule<GlobalOptions, Args>;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];

function psFilter(record: ContainerRecord, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) throw new InvalidArgumentError(`bad format of filter (expected name=value): ${filter}`);
  const key = filter.slice(0, eq);
  const value = filter.slice(eq + 1);
  switch (key) {
    case 'status':
      return record.state.status === value;
    case 'name':
      return new RegExp(value).test(record.name);
    case 'label':
      return matchesLabel(record, value);
    case 'ancestor':
      return (
        record.imageRef === value ||
        record.imageRef === `${value}:latest` ||
        record.imageId.includes(value) ||
        record.config.Image === value
      );
    case 'id':
      return record.id.startsWith(value);
    case 'exited':
      return record.state.status === 'exited' && String(record.state.exitCode) === value;
    default:
      throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
}

const ps: Verb = {
  command: 'ps',
  describe: 'List containers',
  builder: (cli) =>
    cli
      .option('all', { alias: 'a', type: 'boolean' })
      .option('quiet', { alias: 'q', type: 'boolean' })
      .option('size', { alias: 's', type: 'boolean' })
      .option('last', { alias: 'n', type: 'number' })
      .option('latest', { alias: 'l', type: 'boolean' })
      .option('filter', { alias: 'f', type: 'string' })
      .option('format', listFormatOption)
      .option('trunc', truncOption) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const filters = strings(argv.filter);
    let records = await engine.containers.list();
    const last = argv.latest ? 1 : (argv.last as number | undefined);
    const all =
      Boolean(argv.all) || (last !== undefined && last > 0) || filters.some((f) => f.startsWith('status='));
    if (!all) records = records.filter((record) => isActive(record.state.status));
    records = records.filter((record) => filters.every((filter) => psFilter(record, filter)));
    if (last !== undefined && last > 0) records = records.slice(0, last);
    const noTrunc = argv.trunc === false;
    const sizes = new Map<string, number>();
    if (argv.size)
      for (const record of records)
        sizes.set(record.id, await layerSize(rootfsDirs(engine.containers.store.dir(record.id)).upper));
    const now = Date.now();
    const columns: Column<ContainerRecord>[] = [
      { header: 'CONTAINER ID', field: 'ID', value: (r) => (noTrunc ? r.id : r.id.slice(0, 12)) },
      { header: 'IMAGE', field: 'Image', value: (r) => r.config.Image },
      { header: 'COMMAND', field: 'Command', value: (r) => commandText(r, !noTrunc) },
      {
        header: 'CREATED',
        field: 'RunningFor',
        value: (r) =>
          `${statusText({ ...r, state: { ...r.state, status: 'exited', finishedAt: r.created } }, now).replace(/^Exited \(\d+\) /, '')}`,
      },
      { header: 'STATUS', field: 'Status', value: (r) => statusText(r, now) },
      { header: 'PORTS', field: 'Ports', value: (r) => portsColumn(r.ports) },
      { header: 'NAMES', field: 'Names', value: (r) => r.name },
    ];
    if (argv.size)
      columns.push({ header: 'SIZE', field: 'Size', value: (r) => humanSize(sizes.get(r.id) ?? 0) });
    columns.push(
      { header: '', field: 'State', value: (r) => r.state.status },
      {
        header: '',
        field: 'Labels',
        value: (r) =>
          Object.entries(r.config.Labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
      },
    );
    const format = argv.format as string | undefined;
    const visible = format ? columns : columns.filter((column) => column.header !== '');
    printList(
      records,
      visible,
      { quiet: Boolean(argv.quiet), format },
      (r) => (noTrunc ? r.id : r.id.slice(0, 12)),
      out.write,
    );
  },
};

const inspect: Verb = {
  command: 'inspect <containers..>',
  describe: 'Display detailed information on one or more containers',
  builder: (cli) =>
    cli
      .option('format', { alias: 'f', ...inspectFormatOption })
      .option('size', { alias: 's', type: 'boolean' }) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const results: Record<string, unknown>[] = [];
    let failed = false;
    for (const name of strings(argv.containers)) {
      try {
        const record = await engine.containers.get(name);
        results.push(inspectContainer(record, engine.containers.store.dir(record.id)));
      } catch (error) {
        failed = true;
        out.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const format = argv.format as string | undefined;
    if (format) {
      const { renderTemplate } = await import('../output/template.js');
      for (const result of results) out.line(renderTemplate(format, result));
    } else {
      out.line(JSON.stringify(results, null, 4));
    }
    if (failed) process.exitCode = 1;
  },
};

/** --since/--until: RFC3339, unix seconds, or a duration back from now (10m). */
function timeBound(value: unknown): number | undefined {
  return value === undefined ? undefined : parseUntil(String(value));
}

const logs: Verb = {
  command: 'logs <container>',
  describe: 'Fetch the logs of a container',
  builder: (cli) =>
    cli
      .option('follow', { alias: 'f', type: 'boolean' })
      .option('tail', { alias: 'n', type: 'string' })
      .option('since', { type: 'string' })
      .option('until', { type: 'string' })
      .option('timestamps', { alias: 't', type: 'boolean' })
      .option('details', { type: 'boolean' }) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const record = await engine.containers.get(String(argv.container));
    const tailText = argv.tail === undefined || argv.tail === 'all' ? undefined : String(argv.tail);
    if (tailText !== undefined && !/^\d+$/.test(tailText))
      throw new InvalidArgumentError(`invalid tail value: ${tailText}`);
    const timestamps = Boolean(argv.timestamps);
    const details = Boolean(argv.details)
      ? Object.entries(record.config.Labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
      : '';
    const buffers = { stdout: [] as string[], stderr: [] as string[] };
    let pending = 0;
    const flush = (): void => {
      if (buffers.stdout.length) process.stdout.write(buffers.stdout.join(''));
      if (buffers.stderr.length) process.stderr.write(buffers.stderr.join(''));
      buffers.stdout = [];
      buffers.stderr = [];
      pending = 0;
    };
    const follow = Boolean(argv.follow);
    for await (const entry of readLogs(record.logPath, {
      tail: tailText === undefined ? undefined : Number(tailText),
      since: timeBound(argv.since),
      until: timeBound(argv.until),
      follow,
      isRunning: async () => {
        const current = await engine.containers.store.read(record.id);
        return current !== undefined && isActive(current.state.status);
      },
    })) {
      let line = entry.log;
      if (details) line = `${details} ${line}`;
      if (timestamps) line = `${entry.time} ${line}`;
      buffers[entry.stream].push(line);
      // Batch output; while following, show each line as soon as it comes.
      if (++pending >= 512 || follow) flush();
    }
    flush();
  },
};

const top: Verb = {
  command: 'top <container> [psArgs..]',
  describe: 'Display the running processes of a container',
  builder: (cli) => cli as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const record = await engine.containers.get(String(argv.container));
    const psArgs = strings(argv.psArgs);
    const { titles, processes } = await topProcesses(record, psArgs.length > 0 ? psArgs : undefined);
    out.line(formatTable(titles, processes));
  },
};

const stats: Verb = {
  command: 'stats [containers..]',
  describe: 'Display a live stream of container resource usage statistics',
  builder: (cli) =>
    cli
      .option('stream', {
        type: 'boolean',
        default: true,
        describe: 'Stream usage (--no-stream: one snapshot)',
      })
      .option('all', { alias: 'a', type: 'boolean' })
      .option('format', listFormatOption)
      .option('trunc', truncOption) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const wanted = strings(argv.containers);
    const once = argv.stream === false;
    do {
      const records =
        wanted.length > 0
          ? await Promise.all(wanted.map((name) => engine.containers.get(name)))
          : (await engine.containers.list()).filter((r) => argv.all || isActive(r.state.status));
      const rows = await Promise.all(records.map((record) => sampleStats(record)));
      const columns: Column<(typeof rows)[number]>[] = [
        { header: 'CONTAINER ID', field: 'ID', value: (s) => s.id.slice(0, 12) },
        { header: 'NAME', field: 'Name', value: (s) => s.name },
        { header: 'CPU %', field: 'CPUPerc', value: (s) => `${s.cpuPercent.toFixed(2)}%` },
        {
          header: 'MEM USAGE / LIMIT',
          field: 'MemUsage',
          value: (s) => `${binarySize(s.memoryUsage)} / ${binarySize(s.memoryLimit)}`,
        },
        { header: 'MEM %', field: 'MemPerc', value: (s) => `${s.memoryPercent.toFixed(2)}%` },
        { header: 'NET I/O', field: 'NetIO', value: () => '0B / 0B' },
        { header: 'BLOCK I/O', field: 'BlockIO', value: () => '0B / 0B' },
        { header: 'PIDS', field: 'PIDs', value: (s) => String(s.pids) },
      ];
      if (!once) out.write('\x1b[2J\x1b[H');
      printList(rows, columns, { format: argv.format as string | undefined }, (s) => s.id, out.write);
    } while (!once);
  },
};

/** docker stats prints memory in binary units (MiB). */
function binarySize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 2).replace(/\.00$/, '')}${units[unit]}`;
}

const port: Verb = {
  command: 'port <container> [privatePort]',
  describe: 'List port mappings or a specific mapping for the container',
  builder: (cli) => cli as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const record = await engine.containers.get(String(argv.container));
    const wanted = argv.privatePort === undefined ? undefined : String(argv.privatePort);
    for (const line of portCommandLines(record.ports, String(argv.container), wanted)) out.line(line);
  },
};

const diff: Verb = {
  command: 'diff <container>',
  describe: "Inspect changes to files or directories on a container's filesystem",
  builder: (cli) => cli as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    for (const change of await diffContainer(engine.containers, String(argv.container)))
      out.line(`${change.kind} ${change.path}`);
  },
};

export const pruneVerb: Verb = {
  command: 'prune',
  describe: 'Remove all stopped containers',
  builder: (cli) =>
    cli.option('force', { alias: 'f', type: 'boolean' }).option('filter', { type: 'string' }) as Argv<Args>,
  handler: async (argv) => {
    const engine = await openEngine(argv);
    const filters = strings(argv.filter);
    const until = filters.find((f) => f.startsWith('until='));
    const result = await pruneContainers(engine.containers, {
      until: until ? parseUntil(until.slice('until='.length)) : undefined,
      labels: filters
        .filter((f) => f.startsWith('label=') || f.startsWith('label!='))
        .map((f) => (f.startsWith('label!=') ? '!' + f.slice('label!='.length) : f.slice('label='.length))),
    });
    if (result.deleted.length > 0) out.line(['Deleted Containers:', ...result.deleted, ''].join('\n'));
    out.line(`Total reclaimed space: ${humanSize(result.reclaimed)}`);
  },
};

export const infoVerbs: Verb[] = [ps, inspect, logs, top, stats, port, diff];
