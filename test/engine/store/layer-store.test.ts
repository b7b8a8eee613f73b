import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mkdir, mkdtemp, readdir, readFile, rm, lstat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decompressStream, FsOps } from '../../../source/engine/archive/index.js';
import { DigestMismatchError } from '../../../source/engine/store/content-store.js';
import { LayerStore, chainIds } from '../../../source/engine/store/layer-store.js';
import { type Digest, sha256, storeLayout } from '../../../source/engine/util/index.js';
import { type EntrySpec, makeTar, mountOverlay, streamOf, unmount } from '../archive/tar-fixtures.js';

let root: string;
const mounts: string[] = [];

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-layers-'));
});

test.after.always(async () => {
  for (const target of mounts) unmount(target);
  await rm(root, { recursive: true, force: true });
});

async function freshStore(name: string): Promise<{ store: LayerStore; layers: string; tmp: string }> {
  const layout = storeLayout(join(root, name));
  await mkdir(layout.layers, { recursive: true });
  await mkdir(layout.tmp, { recursive: true });
  return { store: new LayerStore(layout.layers, layout.tmp), layers: layout.layers, tmp: layout.tmp };
}

const capability = Buffer.from('0100000220000000000000000000000000000000', 'hex');

const base: EntrySpec[] = [
  { name: 'bin', type: 'dir' },
  { name: 'bin/sh', body: '#!busybox\n', mode: 0o755 },
  { name: 'bin/ls', type: 'symlink', linkname: 'sh' },
  { name: 'bin/cat', type: 'hardlink', linkname: 'bin/sh' },
  {
    name: 'bin/ping',
    body: 'ping',
    mode: 0o4755,
    uid: 1000,
    gid: 1001,
    xattrs: { 'security.capability': capability },
  },
  { name: 'etc', type: 'dir' },
  { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n' },
  { name: 'etc/group', body: 'root:x:0:\n' },
  { name: 'etc/tagged', body: 't', xattrs: { 'user.berth': Buffer.from('yes') } },
  { name: 'opt/app/a', body: 'a' }, // parents created implicitly
  { name: 'opt/app/sub/b', body: 'b' },
  { name: 'var/log/old.log', body: 'old' },
  { name: 'tmp', type: 'dir', mode: 0o1777 },
  { name: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
  { name: 'run/fifo', type: 'fifo', mode: 0o620, uid: 7, gid: 8 },
  { name: 'home/user', type: 'dir', mode: 0o700, uid: 1000, gid: 1000 },
];

const top: EntrySpec[] = [
  { name: 'etc/.wh.group' },
  { name: 'etc/hostname', body: 'berth\n' },
  { name: 'opt/app', type: 'dir' },
  { name: 'opt/app/.wh..wh..opq' },
  { name: 'opt/app/new', body: 'new' },
  { name: 'var/log/.wh.old.log' },
  { name: 'bin/.wh.ls' },
];

test('two layers with whiteouts and an opaque dir, mounted with overlayfs', async (t) => {
  const { store } = await freshStore('overlay');
  const first = await store.unpack(streamOf(await makeTar(base)), undefined);
  const second = await store.unpack(streamOf(await makeTar(top)), first.chainId);
  t.is(first.chainId, first.diffId);
  t.deepEqual(chainIds([first.diffId, second.diffId]), [first.chainId, second.chainId]);
  t.is(first.size, Buffer.byteLength('#!busybox\nping' + 'root:x:0:0::/root:/bin/sh\nroot:x:0:\ntabold'));

  // The layer itself holds overlayfs' forms.
  const topDiff = store.diffPath(second.chainId);
  const whiteout = await lstat(join(topDiff, 'etc/group'));
  t.true(whiteout.isCharacterDevice());
  t.is(whiteout.rdev, 0);
  const fsops = FsOps.start();
  t.teardown(() => fsops.close());
  t.is((await fsops.xattrs(join(topDiff, 'opt/app')))['trusted.overlay.opaque']?.toString(), 'y');

  const target = join(root, 'overlay-mnt');
  await mkdir(target);
  mounts.push(target);
  mountOverlay(target, store.lowerDirs([first.chainId, second.chainId]));
  t.teardown(() => unmount(target));

  t.deepEqual((await readdir(join(target, 'etc'))).sort(), ['hostname', 'passwd', 'tagged']);
  t.deepEqual(await readdir(join(target, 'opt/app')), ['new']);
  t.deepEqual(await readdir(join(target, 'var/log')), []);
  t.deepEqual((await readdir(join(target, 'bin'))).sort(), ['cat', 'ping', 'sh']);
  t.is(await readFile(join(target, 'etc/hostname'), 'utf8'), 'berth\n');

  // Owners, modes, times, links, devices and xattrs survived.
  const [sh, cat, ping, tmp, nul, fifo, home] = await Promise.all(
    ['bin/sh', 'bin/cat', 'bin/ping', 'tmp', 'dev/null', 'run/fifo', 'home/user'].map((path) =>
      lstat(join(target, path)),
    ),
  );
  t.is(sh?.ino, cat?.ino);
  t.is(sh?.mode && sh.mode & 0o7777, 0o755);
  t.is(sh?.mtime.toISOString(), '2024-01-02T03:04:05.000Z');
  t.deepEqual([ping?.mode && ping.mode & 0o7777, ping?.uid, ping?.gid], [0o4755, 1000, 1001]);
  t.is(tmp?.mode && tmp.mode & 0o7777, 0o1777);
  t.is(tmp?.mtime.toISOString(), '2024-01-02T03:04:05.000Z');
  t.true(nul?.isCharacterDevice());
  t.is(nul?.rdev, (1 << 8) | 3);
  t.true(fifo?.isFIFO());
  t.deepEqual([fifo?.mode && fifo.mode & 0o7777, fifo?.uid, fifo?.gid], [0o620, 7, 8]);
  t.deepEqual([home?.mode && home.mode & 0o7777, home?.uid], [0o700, 1000]);
  t.deepEqual((await fsops.xattrs(join(target, 'bin/ping')))['security.capability'], capability);
  t.deepEqual((await fsops.xattrs(join(target, 'etc/tagged')))['user.berth'], Buffer.from('yes'));
  unmount(target);
});

test('the same chain id is unpacked once and shared, also when unpacks race', async (t) => {
  const { store, layers, tmp } = await freshStore('shared');
  const tar = await makeTar(base);
  const diffId = sha256(tar);
  const results = await Promise.all([
    store.unpack(streamOf(tar), undefined, diffId),
    store.unpack(streamOf(tar), undefined, diffId),
    store.unpack(streamOf(tar), undefined), // without the expected diffID: unpacked, then dropped
  ]);
  for (const result of results) t.deepEqual(result, results[0]);
  t.is(results[0]?.diffId, diffId);
  t.deepEqual(await readdir(layers), [diffId.slice('sha256:'.length)]);
  t.deepEqual(await readdir(tmp), []);
  const again = await store.unpack(streamOf(tar), undefined, diffId);
  t.deepEqual(again, results[0]);
  // Same diff on another parent is another layer.
  const other = await store.unpack(streamOf(tar), sha256('some parent'), diffId);
  t.not(other.chainId, diffId);
  t.is((await store.list()).length, 2);
  t.true(await store.has(diffId));
  t.is(await store.size(diffId), results[0]?.size ?? -1);
});

test('a diffID mismatch is refused and leaves nothing behind', async (t) => {
  const { store, layers, tmp } = await freshStore('mismatch');
  const wrong: Digest = sha256('not this layer');
  await t.throwsAsync(store.unpack(streamOf(await makeTar(base)), undefined, wrong), {
    instanceOf: DigestMismatchError,
  });
  t.deepEqual(await readdir(layers), []);
  t.deepEqual(await readdir(tmp), []);
});

test('a gzip layer through decompressStream has the diffID of its tar', async (t) => {
  const { store } = await freshStore('gzip');
  const tar = await makeTar(top);
  const { stream, compression } = await decompressStream(streamOf(gzipSync(tar)));
  t.is(compression, 'gzip');
  const result = await store.unpack(stream, undefined, sha256(tar));
  t.is(result.diffId, sha256(tar));
});

test('delete, leftovers and lowerdir order', async (t) => {
  const { store, layers, tmp } = await freshStore('maintenance');
  const one = await store.unpack(streamOf(await makeTar([{ name: 'a', body: '1' }])), undefined);
  const two = await store.unpack(streamOf(await makeTar([{ name: 'b', body: '2' }])), one.chainId);
  t.deepEqual(store.lowerDirs([one.chainId, two.chainId]), [
    store.diffPath(two.chainId),
    store.diffPath(one.chainId),
  ]);
  t.is(store.diffPath(one.chainId), join(layers, one.chainId.slice(7), 'diff'));

  // A killed unpack (dead pid), a live one (ours), and a layer dir without meta.json.
  await mkdir(join(tmp, 'layer-unpack-999999999-abc', 'diff'), { recursive: true });
  await mkdir(join(tmp, `layer-unpack-${process.pid}-live`, 'diff'), { recursive: true });
  const bogus = join(layers, 'f'.repeat(64));
  await mkdir(join(bogus, 'diff'), { recursive: true });
  await writeFile(join(bogus, 'diff', 'x'), 'x');
  t.is(await store.removeLeftovers(), 2);
  t.deepEqual(await readdir(tmp), [`layer-unpack-${process.pid}-live`]);
  t.is((await store.list()).length, 2);

  await store.delete(two.chainId);
  t.false(await store.has(two.chainId));
  await store.delete(two.chainId); // idempotent
  t.deepEqual(
    (await store.list()).map((layer) => layer.chainId),
    [one.chainId],
  );
  t.deepEqual(await readdir(tmp), [`layer-unpack-${process.pid}-live`]);
});

test('a berth killed mid-unpack leaves no visible layer; removeLeftovers sweeps the rest', async (t) => {
  const { store, layers, tmp } = await freshStore('killed');
  const storeModule = pathToFileURL(
    fileURLToPath(new URL('../../../source/engine/store/layer-store.ts', import.meta.url)),
  );
  const archiveModule = pathToFileURL(
    fileURLToPath(new URL('../../../source/engine/archive/index.ts', import.meta.url)),
  );
  const script = join(root, 'killed-child.mts');
  // Feeds an endless tar into unpack (with an expected diffID, so it holds the layer lock).
  await writeFile(
    script,
    `import { LayerStore } from '${storeModule.href}';
import { TarWriter } from '${archiveModule.href}';
const store = new LayerStore(${JSON.stringify(layers)}, ${JSON.stringify(tmp)});
const writer = new TarWriter();
void store.unpack(writer.stream, undefined, 'sha256:${'a'.repeat(64)}');
for (let index = 0; ; index++) {
  await writer.add({ name: 'd/f' + index, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 4, mtime: new Date() }, Buffer.from('data'));
  if (index === 200) console.log('ready');
  if (index % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  // 'ready' only says the writer has queued entries; the unpack itself starts once the lock is
  // held, which a loaded machine may delay. Kill only when the work dir exists, so the kill
  // really lands mid-unpack.
  const deadline = Date.now() + 30_000;
  while (!(await readdir(tmp)).some((name) => name.startsWith('layer-unpack-'))) {
    if (Date.now() > deadline) throw new Error('the child never started unpacking');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const killed = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await killed;
  t.deepEqual(await readdir(layers), []);
  t.deepEqual(await store.list(), []);
  const leftovers = await readdir(tmp);
  t.true(
    leftovers.some((name) => name.startsWith('layer-unpack-')),
    leftovers.join(' '),
  );
  t.is(await store.removeLeftovers(), leftovers.length);
  t.deepEqual(await readdir(tmp), []);
});
