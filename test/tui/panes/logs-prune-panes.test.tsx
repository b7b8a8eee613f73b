import test from 'ava';
import { MemoryEngine, container } from '../memory-engine.js';
import { renderApp, settle, keys, unmountAll } from './render-app.js';

test.afterEach.always(unmountAll);

test.serial('the logs pane follows new lines, searches, filters and resumes following', async (t) => {
  const engine = new MemoryEngine();
  engine.containers = [container('web', 'running')];
  const id = engine.containers[0]!.id;
  for (let index = 0; index < 50; index++) engine.print(id, `request ${index} ok`);
  const app = renderApp(engine);
  await app.waitFor(/  web /);
  await app.press('2');
  await app.waitFor(/request 49 ok/);
  engine.print(id, 'request 50 failed: timeout', 'stderr');
  t.regex(await app.waitFor(/request 50 failed/), /following/);
  await app.press('/', ...'fail', keys.enter);
  t.regex(await app.waitFor(/1 matches/), /\/fail\/ 1 matches/);
  t.regex(app.frame(), /paused/);
  await app.press('F');
  const filtered = await app.waitFor(/filter ±2/);
  t.deepEqual(
    filtered.split('\n').filter((line) => line.startsWith('request')),
    ['request 48 ok', 'request 49 ok', 'request 50 failed: timeout'],
  );
  await app.press('F', 'G');
  t.regex(await app.waitFor(/following/), /following/);
});

test.serial('marked containers merge into one stream, each line prefixed by its source', async (t) => {
  const engine = new MemoryEngine();
  engine.containers = [container('api', 'running'), container('web', 'running')];
  engine.print(engine.containers[0]!.id, 'from api');
  engine.print(engine.containers[1]!.id, 'from web');
  const app = renderApp(engine);
  await app.waitFor(/  web /);
  await app.press(' ', ' ', '2');
  const frame = await app.waitFor(/web \| from web/);
  t.regex(frame, /api \| from api/);
  t.regex(frame, /api, web/);
});

test.serial(
  'prune lists what would go with sizes, unmarking changes the total, confirmation prunes only the marked',
  async (t) => {
    const engine = new MemoryEngine();
    engine.preview = {
      items: [
        { kind: 'container', id: 'c1', label: 'old-job', size: 2_000_000 },
        { kind: 'container', id: 'c2', label: 'keep-me', size: 1_000_000 },
        { kind: 'image', id: 'sha256:d', label: '<none> dddddddddddd', size: 5_000_000 },
      ],
      problems: [],
    };
    const app = renderApp(engine);
    await app.press('7');
    const listed = await app.waitFor(/reclaimable/);
    t.regex(listed, /container\s+old-job\s+2MB/);
    t.regex(listed, /image\s+<none> dddddddddddd\s+5MB/);
    t.regex(listed, /2 stopped containers, 1 image · 8MB reclaimable/);
    t.notRegex(listed, /not listed yet|could not list/);
    await app.press(keys.down, ' ');
    t.regex(await app.waitFor(/7MB reclaimable/), /1 stopped container, 1 image · 7MB reclaimable/);
    await app.press('x');
    t.regex(app.frame(), /Permanently remove 1 stopped container, 1 image \(7MB\)\? \[y\/N\]/);
    await app.press('y');
    t.regex(await app.waitFor(/reclaimed/), /reclaimed 7MB · removed 1 stopped container, 1 image/);
    t.deepEqual(engine.calls, ['prune old-job,<none> dddddddddddd']);
    await settle(100);
    t.regex(await app.waitFor(/keep-me/), /1 stopped container · 1MB reclaimable/);
  },
);

test.serial(
  'prune lists unused volumes and the build cache; named volumes start unmarked; a listing that fails is said',
  async (t) => {
    const engine = new MemoryEngine();
    engine.preview = {
      items: [
        { kind: 'volume', id: 'f00d', label: 'f00d', size: 3_000_000 },
        { kind: 'volume', id: 'pgdata', label: 'pgdata (named)', size: 9_000_000, unmarkedAtFirst: true },
        { kind: 'build-cache', id: 'build-cache', label: 'build cache, 4 entries', size: 6_000_000 },
      ],
      problems: ['images: store is locked'],
    };
    const app = renderApp(engine);
    await app.press('7');
    const listed = await app.waitFor(/reclaimable/);
    t.regex(listed, /● volume\s+f00d\s+3MB/);
    t.regex(listed, /○ volume\s+pgdata \(named\)\s+9MB/);
    t.regex(listed, /● build cache\s+build cache, 4 entries\s+6MB/);
    t.regex(listed, /1 volume, the build cache · 9MB reclaimable/);
    t.regex(listed, /could not list images: store is locked/);
    await app.press('x');
    t.regex(app.frame(), /Permanently remove 1 volume, the build cache \(9MB\)\?/);
    await app.press('y');
    t.regex(await app.waitFor(/reclaimed/), /removed 1 volume, the build cache/);
    t.deepEqual(engine.calls, ['prune f00d,build cache, 4 entries']);
  },
);
