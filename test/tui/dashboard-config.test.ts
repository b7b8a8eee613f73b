import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDashboardConfig } from '../../source/tui/dashboard-config.js';
import { commandFor } from '../../source/tui/keymap.js';

const roots: string[] = [];
test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function root(config?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-tui-config-'));
  roots.push(dir);
  if (config !== undefined) await writeFile(join(dir, 'config.json'), config);
  return dir;
}

test('no config file: the default keys', async (t) => {
  const { keymap, warnings } = await loadDashboardConfig(await root());
  t.is(commandFor(keymap, 's', 'containers'), 'container.toggle');
  t.deepEqual(warnings, []);
});

test('keys in config.json remap commands; unknown ids and bad values are reported', async (t) => {
  const { keymap, warnings } = await loadDashboardConfig(
    await root(
      JSON.stringify({
        auths: {},
        keys: { 'container.toggle': 'S', 'app.quit': ['x', 'ctrl+q'], 'no.such': 'z', 'logs.wrap': 5 },
      }),
    ),
  );
  t.is(commandFor(keymap, 'S', 'containers'), 'container.toggle');
  t.is(commandFor(keymap, 'x', 'images'), 'app.quit');
  t.is(commandFor(keymap, 'q', 'images'), undefined);
  t.is(warnings.length, 2);
});

test('a malformed config file falls back to the defaults with a warning', async (t) => {
  const { keymap, warnings } = await loadDashboardConfig(await root('{nope'));
  t.is(commandFor(keymap, 'q', 'logs'), 'app.quit');
  t.regex(warnings[0] ?? '', /not valid JSON/);
});
