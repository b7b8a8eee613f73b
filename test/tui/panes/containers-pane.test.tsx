import test from 'ava';
import { MemoryEngine, container } from '../memory-engine.js';
import { renderApp, settle, keys, unmountAll } from './render-app.js';
import { applyOverrides, defaultKeymap } from '../../../source/tui/keymap.js';

test.afterEach.always(unmountAll);

function engineWith(): MemoryEngine {
  const engine = new MemoryEngine();
  engine.containers = [
    container('old', 'exited', { exitCode: 137 }),
    container('web', 'running'),
    container('db', 'running'),
  ];
  return engine;
}

test.serial('lists running containers first with their state, stopped ones after', async (t) => {
  const app = renderApp(engineWith());
  await app.waitFor(/  old /);
  const frame = app.frame();
  const order = ['db', 'web', 'old'].map((name) => frame.indexOf(`  ${name} `));
  t.true(
    order.every((index) => index > 0),
    frame,
  );
  t.true(order[0]! < order[1]! && order[1]! < order[2]!, 'running first, by name');
  t.regex(frame, /Up 30 seconds/);
  t.regex(frame, /Exited \(137\)/);
  t.regex(frame, /s start\/stop/, 'the footer shows the pane keys');
  app.unmount();
});

test.serial('s stops the selected running container and the list follows the engine event', async (t) => {
  const engine = engineWith();
  const app = renderApp(engine);
  await app.waitFor(/  old /);
  await app.press('s');
  await app.waitFor(/1 running, 2 other/);
  t.deepEqual(engine.calls, ['stop db00']);
  t.regex(app.frame(), /stopped db/);
  t.regex(app.frame(), /1 running, 2 other/);
  app.unmount();
});

test.serial('remove asks first, says it will force a running container, and n cancels', async (t) => {
  const engine = engineWith();
  const app = renderApp(engine);
  await app.waitFor(/  old /);
  await app.press('d');
  t.regex(app.frame(), /Remove db\? db is running and will be killed first \(force\)\. \[y\/N\]/);
  await app.press('n');
  t.deepEqual(engine.calls, []);
  t.regex(app.frame(), /cancelled/);
  await app.press('d', 'y');
  await app.waitFor(/removed db/);
  t.deepEqual(engine.calls, ['remove db00 force']);
  await app.waitFor(/1 running, 1 other/);
  t.notRegex(app.frame(), /  db /);
  app.unmount();
});

test.serial('the filter narrows the list as you type; h hides stopped containers', async (t) => {
  const app = renderApp(engineWith());
  await app.waitFor(/  old /);
  await app.press('/', 'w', 'e');
  t.regex(app.frame(), /filter: we/);
  t.notRegex(app.frame(), /  db /);
  t.regex(app.frame(), /  web /);
  await app.press(keys.escape);
  t.regex(app.frame(), /  db /);
  await app.press('h');
  t.notRegex(app.frame(), /  old /);
  app.unmount();
});

test.serial('marks with space make s a bulk action on the marked containers', async (t) => {
  const engine = engineWith();
  const app = renderApp(engine);
  await app.waitFor(/  old /);
  await app.press(' ', ' '); // marks db and web (the cursor moves down after each mark)
  t.regex(app.frame(), /2 marked/);
  await app.press('s');
  await app.waitFor(/0 running/);
  t.is(engine.calls.filter((call) => call.startsWith('stop')).length, 2);
  app.unmount();
});

test.serial('e hands the terminal to an exec shell, y copies the id with OSC 52', async (t) => {
  const engine = engineWith();
  const app = renderApp(engine);
  await app.waitFor(/  old /);
  await app.press('e');
  await app.waitFor(/shell in db ended/);
  t.deepEqual(app.handedOver, [['exec', 'db00', '/bin/sh']]);
  t.regex(app.frame(), /shell in db ended/);
  await settle(150); // the panes mount again after the shell and subscribe to keys
  await app.press('y');
  t.true(app.raw[0]?.startsWith('\u001b]52;c;') || app.raw[0]?.startsWith('\u001bPtmux;'));
  app.unmount();
});

test.serial('help lists every key from the keymap, remapped keys included', async (t) => {
  const { keymap } = applyOverrides(defaultKeymap, { 'container.toggle': 'S' });
  const app = renderApp(engineWith(), { keymap });
  await app.waitFor(/  old /);
  await app.press('?');
  t.regex(app.frame(), /Keys \(any key closes this\)/);
  t.regex(app.frame(), /S\s+Start or stop/);
  await app.press('x');
  t.notRegex(app.frame(), /Keys \(any key/);
  await app.press('S');
  await app.waitFor(/stopped db/);
  t.regex(app.frame(), /stopped db/);
  app.unmount();
});

test.serial('number keys and tab switch panes; q quits', async (t) => {
  const engine = engineWith();
  engine.images = [
    {
      id: 'sha256:' + 'c'.repeat(64),
      repoTags: ['busybox:latest'],
      size: 1_200_000,
      createdMs: Date.now() - 3_600_000,
      usedBy: ['web'],
    },
  ];
  const app = renderApp(engine);
  await app.waitFor(/  old /);
  await app.press('3');
  await app.waitFor(/busybox:latest\s+ccc/);
  t.regex(app.frame(), /busybox:latest\s+cccccccccccc\s+1\.2MB\s+About an hour ago\s+web/);
  await app.press(keys.tab);
  t.regex(app.frame(), /0 volumes/);
  await app.press('q');
  t.is(app.quits(), 1);
  app.unmount();
});
