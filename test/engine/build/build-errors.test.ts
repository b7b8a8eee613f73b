/**
 * Broken Dockerfiles fail before anything runs, with the file and line docker would name; the
 * layer-depth limit is enforced with a clear message; a failed build leaves no tag and no mount.
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { TarWriter } from '../../../source/engine/archive/index.js';
import { build, makeStore, seedBusybox, writeContext, type TestStore } from './build-fixtures.js';

let store: TestStore;
test.before(async () => {
  store = await makeStore();
  await seedBusybox(store);
});
test.after.always(async () => store?.dispose());

async function failure(dockerfile: string, options: { target?: string } = {}): Promise<string> {
  const context = await writeContext({ Dockerfile: dockerfile });
  try {
    await build(store.deps, { context, ...options });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the build succeeded');
}

test('syntax and instruction errors carry the line', async (t) => {
  t.is(await failure('FROM busybox\nRUN true\n\nCOPPY a b\n'), 'Dockerfile:4: unknown instruction: COPPY (did you mean COPY?)');
  t.regex(await failure('FROM busybox\nEXPOSE 80/tcp abc\n'), /^Dockerfile:2: invalid containerPort: abc/);
  t.regex(await failure('FROM busybox\nSTOPSIGNAL SIGNOPE\n'), /^Dockerfile:2: Invalid signal: SIGNOPE/);
  t.regex(await failure('FROM busybox\nENV A=${B:?must-be-set}\n'), /^Dockerfile:2: .*must-be-set/);
  t.regex(await failure('FROM busybox\nCOPY --chown=ghost a /a\n'), /^Dockerfile:2: /);
  t.regex(await failure('RUN true\n'), /^Dockerfile:1: no build stage in current context/);
  t.regex(await failure('FROM busybox AS a\nFROM busybox AS a\n'), /^Dockerfile:2: duplicate stage name/);
  t.regex(await failure('FROM busybox\n', { target: 'nope' }), /failed to reach build target nope/);
  t.regex(await failure('FROM nosuchimage:1\n'), /^Dockerfile:1: nosuchimage:1: /);
  t.regex(await failure('FROM busybox\nRUN --mount=type=cache,target=/c true\n'), /^Dockerfile:2: RUN --mount is not supported/);
});

test('more than 125 layers is refused with docker\'s limit named', async (t) => {
  const tars = Array.from({ length: 125 }, (_, index) => {
    const writer = new TarWriter();
    void writer
      .add({ name: `f${index}`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, mtime: new Date(0) }, Buffer.from('x'))
      .then(() => writer.finish());
    return writer.stream;
  });
  await store.deps.images.createFromLayers({
    config: { architecture: 'amd64', os: 'linux', config: {} },
    layerTars: tars,
    tags: ['deep:125'],
  });
  const message = await failure('FROM deep:125\nENV OK=metadata-is-fine\nCOPY Dockerfile /one-too-many\n');
  t.is(message, 'Dockerfile:3: max depth exceeded: the image would have 126 layers, more than the 125 docker allows; combine RUN steps or use a multi-stage build');
});

test('a failed build leaves no mount behind', async (t) => {
  await failure('FROM busybox\nRUN exit 1\n');
  t.false(readFileSync('/proc/mounts', 'utf8').includes(store.root));
});
