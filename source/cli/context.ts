/** What every command handler gets: the global options and a lazily opened engine. */
import { createEngine, type Engine } from '../engine/index.js';

export interface GlobalOptions {
  root?: string;
}

let opened: Promise<Engine> | undefined;

export function openEngine(argv: GlobalOptions): Promise<Engine> {
  opened ??= createEngine({ root: argv.root });
  return opened;
}

/** Where commands write; indirection so tests of formatting can capture output. */
export const out = {
  write: (text: string): void => {
    process.stdout.write(text);
  },
  line: (text = ''): void => {
    process.stdout.write(text + '\n');
  },
  error: (text: string): void => {
    process.stderr.write(text + '\n');
  },
};
