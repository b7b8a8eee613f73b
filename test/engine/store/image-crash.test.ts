/**
 * Crash safety of `load`: a real `berth load` child is killed with SIGKILL at several moments;
 * the store must stay readable, the image must be whole or absent, and the next command must
 * clean up every leftover (temp files, unpack directories, unnamed blobs and layers).
 */
import test from 'ava';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine } from '../../../source/engine/index.js';
import { seedBusybox } from '../../fixtures/busybox.js';
import { berth, CLI_MAIN } from '../../helpers/cli.js';
import { makeTar, streamOf } from '../archive/tar-fixtures.js';
import { killStarted } from '../../helpers/kill-started.js';

const work = await mkdtemp(join(tmpdir(), 'berth-image-crash-'));
const archive = join(work, 'big.tar');
const started: number[] = [];

test.before(async () => {
  // A 40 MB layer of random bytes over busybox, saved once and loaded by every case.
  const source = join(work, 'source');
  await seedBusybox(source);
  const engine = await createEngine({ root: source });
  const big = await makeTar([{ name: 'random.bin', body: randomBytes(40 * 1024 * 1024) }]);
  await engine.images.createFromLayers({
    base: 'busybox',
    config: { architecture: 'amd64', os: 'linux' },
    layerTars: [streamOf(big, 1024 * 1024)],
    tags: ['big:1'],
  });
  await engine.images.save(['big:1'], createWriteStream(archive));
});

test.after.always(async () => {
  killStarted(started);
  await rm(work, { recursive: true, force: true });
});

const list = (dir: string): Promise<string[]> => readdir(dir).catch(() => [] as string[]);

type Moment = (root: string) => Promise<boolean>;

const moments: [string, Moment][] = [
  [
    'while the archive is being read',
    async (root) => (await list(join(root, 'tmp'))).some((name) => name.startsWith('op-')),
  ],
  [
    'while a blob is half written',
    async (root) =>
      (await list(join(root, 'content', 'blobs', 'sha256'))).some((name) => name.startsWith('.')),
  ],
  [
    'while a layer is being unpacked',
    async (root) => (await list(join(root, 'tmp'))).some((name) => name.startsWith('layer-unpack-')),
  ],
  ['after the layer is in place', async (root) => (await list(join(root, 'layers'))).length >= 2],
];

for (const [when, reached] of moments) {
  test.serial(`a load killed ${when} leaves a readable store that the next command cleans`, async (t) => {
    const root = join(work, `root-${moments.findIndex(([name]) => name === when)}`);
    await seedBusybox(root);
    const blobsBefore = (await list(join(root, 'content', 'blobs', 'sha256'))).sort();
    const layersBefore = (await list(join(root, 'layers'))).sort();
    const child = execa('node', [CLI_MAIN, '--root', root, 'load', '-i', archive], { reject: false });
    if (child.pid) started.push(child.pid);
    const deadline = Date.now() + 60_000;
    let hit = false;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await reached(root)) {
        hit = child.kill('SIGKILL');
        break;
      }
      await sleep(2);
    }
    const result = await child;
    t.log(hit ? `killed (${result.signal ?? result.exitCode})` : `finished first (exit ${result.exitCode})`);

    const images = await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    t.is(images.exitCode, 0, images.stderr);
    const names = images.stdout.trim().split('\n').sort();
    t.true(names.includes('busybox:latest'));
    if (names.includes('big:1')) {
      // Whole: every layer and blob is there, and it saves.
      const engine = await createEngine({ root });
      const image = await engine.images.resolve('big:1');
      for (const chain of image.chainIds) t.true(await engine.layers.has(chain));
      t.is((await berth(root, ['save', '-o', join(root, 'again.tar'), 'big:1'])).exitCode, 0);
    } else {
      t.deepEqual((await list(join(root, 'content', 'blobs', 'sha256'))).sort(), blobsBefore);
      t.deepEqual((await list(join(root, 'layers'))).sort(), layersBefore);
    }
    const leftovers = (await list(join(root, 'tmp'))).filter((name) =>
      /^(op-|layer-unpack-|layer-delete-)/.test(name),
    );
    t.deepEqual(leftovers, []);
    t.deepEqual(
      (await list(join(root, 'content', 'blobs', 'sha256'))).filter((name) => name.startsWith('.')),
      [],
    );
    // And the store still works: the same load now succeeds.
    const again = await berth(root, ['load', '-i', archive]);
    t.is(again.stdout, 'Loaded image: big:1\n', again.stderr);
  });
}
