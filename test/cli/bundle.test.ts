// The shipped CLI (dist/bin, built by `npm run bundle`): plain commands load one bundle of berth
// and its small dependencies; ink and react (bundled into the dashboard's chunk) and node-pty are
// reached only through dynamic imports (the dashboard, `run -it`), so they cost nothing to
// `berth ps` or `berth images`.
import test from 'ava';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { CLI_MAIN } from '../helpers/cli.js';

/** Every module `file` loads before its first line runs: its static imports, transitively. */
async function staticGraph(file: string, seen = new Map<string, string[]>()): Promise<Map<string, string[]>> {
  if (seen.has(file)) return seen;
  const text = await readFile(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^import\s[^;]*?from\s*["']([^"']+)["'];?$|^import\s*["']([^"']+)["'];?$/gm),
  ].map((match) => match[1] ?? match[2] ?? '');
  seen.set(file, specifiers);
  for (const specifier of specifiers) {
    if (specifier.startsWith('./') || specifier.startsWith('../')) {
      await staticGraph(join(dirname(file), specifier), seen);
    }
  }
  return seen;
}

test('the CLI entry statically loads only node built-ins and its own chunks', async (t) => {
  const graph = await staticGraph(CLI_MAIN);
  const outside = [...graph.values()]
    .flat()
    .filter((specifier) => !specifier.startsWith('./') && !specifier.startsWith('../'))
    .filter((specifier) => !specifier.startsWith('node:') && !builtinModules.includes(specifier));
  t.deepEqual(outside, []);
  t.true(graph.size >= 1);
});

test('ink, react and node-pty are only reached through dynamic imports', async (t) => {
  const graph = await staticGraph(CLI_MAIN);
  // node-pty stays a package (native); ink and react are bundled into the dashboard's chunk,
  // which esbuild marks with a comment per module it took from node_modules.
  const imported = [...graph.values()]
    .flat()
    .filter((specifier) => /^(ink|react|node-pty)(\/|$)/.test(specifier));
  t.deepEqual(imported, []);
  for (const file of graph.keys()) {
    const text = await readFile(file, 'utf8');
    t.notRegex(text, /^\/\/ node_modules\/(ink|react|react-reconciler|yoga-layout)\//m, file);
  }
  const entry = await readFile(CLI_MAIN, 'utf8');
  const dashboard = /import\("\.\/chunks\/(dashboard-command-[A-Z0-9]+\.js)"\)/.exec(entry);
  t.truthy(dashboard);
  // ...and the dashboard does get them, bundled, through its own dynamic import.
  const command = await readFile(join(dirname(CLI_MAIN), 'chunks', dashboard?.[1] ?? ''), 'utf8');
  const tui = /import\("\.\/(tui-[A-Z0-9]+\.js)"\)/.exec(command);
  t.truthy(tui);
  const tuiText = await readFile(join(dirname(CLI_MAIN), 'chunks', tui?.[1] ?? ''), 'utf8');
  t.regex(tuiText, /^\/\/ node_modules\/ink\//m);
});

test('no module of the bundle builds an Intl.Segmenter while loading (it costs every command ~12 ms)', async (t) => {
  const graph = await staticGraph(CLI_MAIN);
  for (const file of graph.keys()) {
    const text = await readFile(file, 'utf8');
    t.notRegex(text, /^(?:var|let|const) \w+ = new Intl\.Segmenter\(/m, file);
  }
  // The yargs help layout still measures text (through the lazy segmenter).
  const help = await execa('node', [CLI_MAIN, 'run', '--help']);
  t.regex(help.stdout, /-i, --interactive\s+Keep STDIN open\s+\[boolean\]/);
});
