import test from 'ava';
import { MemoryEngine } from '../memory-engine.js';
import { renderApp, keys, unmountAll } from './render-app.js';

test.afterEach.always(unmountAll);

test.serial(
  'the volumes pane lists sizes and users, and removes only an unused volume after asking',
  async (t) => {
    const engine = new MemoryEngine();
    engine.volumes = [
      { name: 'cache', size: 2_500_000, usedBy: [] },
      { name: 'pgdata', size: 40_000_000, usedBy: ['db', 'backup'] },
    ];
    const app = renderApp(engine);
    await app.press('4');
    const listed = await app.waitFor(/pgdata/);
    t.regex(listed, /2 volumes/);
    t.regex(listed, /cache\s+2\.5MB\s+unused/);
    t.regex(listed, /pgdata\s+40MB\s+db, backup/);
    t.notRegex(listed, /not listed yet/);

    await app.press(keys.down, 'd');
    t.regex(await app.waitFor(/used by db, backup/), /volume pgdata is used by db, backup/);
    t.deepEqual(engine.calls, []);

    await app.press(keys.up, 'd');
    t.regex(app.frame(), /Remove volume cache and all its data \(2\.5MB\)\? \[y\/N\]/);
    await app.press('y');
    t.regex(await app.waitFor(/1 volumes/), /removed volume cache/);
    t.deepEqual(engine.calls, ['volume rm cache']);
    t.notRegex(app.frame(), /cache\s+2\.5MB/);
  },
);
