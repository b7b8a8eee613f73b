/** `import`, `save` and `load`: images in and out of tar streams (files, stdin/stdout, URLs). */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { BerthError, InvalidArgumentError, type ArchiveFormat } from '../../engine/index.js';
import { openEngine, out, type GlobalOptions } from '../context.js';

/** The user asked to read an archive from a terminal or write one to it. */
class TerminalStreamError extends BerthError {
  constructor(message: string) {
    super('TERMINAL_STREAM', message, 1);
  }
}

async function openSource(source: string): Promise<Readable> {
  if (source === '-') {
    if (process.stdin.isTTY)
      throw new TerminalStreamError('refusing to read a tar from a terminal: pipe one in');
    return process.stdin;
  }
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok || !response.body) {
      throw new BerthError('IMPORT_FETCH', `could not fetch ${source}: HTTP ${response.status}`, 1);
    }
    return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }
  const stream = createReadStream(source);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new InvalidArgumentError(`open ${source}: no such file or directory`)
          : error,
      ),
    );
  });
  return stream;
}

type ImportArgs = GlobalOptions & {
  source: string;
  reference?: string;
  change: string[];
  message?: string;
  platform?: string;
};

export async function importCommand(argv: ImportArgs): Promise<void> {
  // yargs hands a lone `-` positional over as an empty string.
  const source = argv.source === '' ? '-' : argv.source;
  const [os, architecture, variant] = (argv.platform ?? '').split('/');
  const engine = await openEngine(argv);
  const record = await engine.images.importRootfs(await openSource(source), {
    ...(argv.reference ? { ref: argv.reference } : {}),
    changes: argv.change,
    ...(argv.message ? { message: argv.message } : {}),
    source,
    ...(os && architecture ? { platform: { os, architecture, ...(variant ? { variant } : {}) } } : {}),
  });
  out.line(record.id);
}

type SaveArgs = GlobalOptions & { images: string[]; output?: string; format: string };

export async function saveCommand(argv: SaveArgs): Promise<void> {
  if (argv.format !== 'docker' && argv.format !== 'oci') {
    throw new InvalidArgumentError(`unknown archive format ${argv.format}: use docker or oci`);
  }
  const format: ArchiveFormat = argv.format;
  const engine = await openEngine(argv);
  if (!argv.output || argv.output === '-') {
    if (process.stdout.isTTY) {
      throw new TerminalStreamError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    await engine.images.save(argv.images, process.stdout, { format });
    return;
  }
  // Written beside the target and renamed, so an interrupted save never leaves half an archive.
  const temp = join(dirname(argv.output), `.${basename(argv.output)}.berth-${process.pid}`);
  try {
    const file = createWriteStream(temp, { flags: 'wx' });
    await engine.images.save(argv.images, file, { format });
    await finished(file);
    await rename(temp, argv.output);
  } finally {
    await rm(temp, { force: true });
  }
}

export async function loadCommand(argv: GlobalOptions & { input?: string; quiet: boolean }): Promise<void> {
  if (!argv.input && process.stdin.isTTY) {
    throw new TerminalStreamError(
      'requested load from stdin, but stdin is a terminal: use -i or pipe a tar in',
    );
  }
  const engine = await openEngine(argv);
  const result = await engine.images.load(await openSource(argv.input ?? '-'));
  for (const line of result.lines) out.line(line);
}
