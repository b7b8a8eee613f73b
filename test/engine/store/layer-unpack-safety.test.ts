import test from 'ava';
import { access, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreCorruptError } from '../../../source/engine/errors/index.js';
import { LayerStore, UnsafeLayerError } from '../../../source/engine/store/layer-store.js';
import { storeLayout } from '../../../source/engine/util/index.js';
import { type EntrySpec, makeTar, streamOf } from '../archive/tar-fixtures.js';

let root: string;
/** A directory outside every store, standing in for the host's /etc. */
let outside: string;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-unsafe-'));
  outside = join(root, 'outside');
  await mkdir(outside);
});

test.after.always(async () => {
  await rm(root, { recursive: true, force: true });
});

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const cases: Array<[string, () => EntrySpec[], string]> = [
  ['../ escape', () => [{ name: '../escaped', body: 'x' }], '../escaped'],
  ['deep ../ escape', () => [{ name: 'a/../../../../escaped', body: 'x' }], 'a/../../../../escaped'],
  ['absolute path climbing above /', () => [{ name: '/../../../escaped', body: 'x' }], '/../../../escaped'],
  [
    'write through an absolute symlink',
    () => [
      { name: 'a', type: 'symlink', linkname: outside },
      { name: 'a/passwd', body: 'pwned' },
    ],
    'a/passwd',
  ],
  [
    'write through a relative symlink',
    () => [
      { name: 'a', type: 'symlink', linkname: '../../../../outside' },
      { name: 'a/passwd', body: 'pwned' },
    ],
    'a/passwd',
  ],
  [
    'directory replaced by a symlink, then written through',
    () => [
      { name: 'd', type: 'dir' },
      { name: 'd/ok', body: 'ok' },
      { name: 'd', type: 'symlink', linkname: outside },
      { name: 'd/passwd', body: 'pwned' },
    ],
    'd/passwd',
  ],
  [
    'device node through a symlink',
    () => [
      { name: 'dev', type: 'symlink', linkname: outside },
      { name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
    ],
    'dev/sda',
  ],
  ['hardlink to ../', () => [{ name: 'h', type: 'hardlink', linkname: '../../../../outside/secret' }], 'h'],
  [
    'hardlink to an absolute path outside',
    () => [{ name: 'h', type: 'hardlink', linkname: `${outside}/secret` }],
    'h',
  ],
  [
    'hardlink through a symlink',
    () => [
      { name: 's', type: 'symlink', linkname: outside },
      { name: 'h', type: 'hardlink', linkname: 's/secret' },
    ],
    'h',
  ],
  [
    'hardlink to a file of a replaced directory',
    () => [
      { name: 'd/f', body: 'f' },
      { name: 'd', type: 'symlink', linkname: outside },
      { name: 'h', type: 'hardlink', linkname: 'd/secret' },
    ],
    'h',
  ],
  ['whiteout of ..', () => [{ name: 'etc/.wh...' }], 'etc/.wh...'],
  [
    'whiteout through a symlink',
    () => [{ name: 'a', type: 'symlink', linkname: outside }, { name: 'a/.wh.secret' }],
    'a/.wh.secret',
  ],
  [
    'opaque marker through a symlink',
    () => [{ name: 'a', type: 'symlink', linkname: outside }, { name: 'a/.wh..wh..opq' }],
    'a/.wh..wh..opq',
  ],
];

for (const [title, entries, offending] of cases) {
  test(`refused: ${title}`, async (t) => {
    const layout = storeLayout(join(root, title.replace(/\W+/g, '-')));
    const store = new LayerStore(layout.layers, layout.tmp);
    const before = await readdir(outside);
    // Good entries first, so a partial unpack would have something to leave behind.
    const tar = await makeTar([{ name: 'usr/bin/ok', body: 'fine' }, ...entries()]);
    const error = await t.throwsAsync(store.unpack(streamOf(tar), undefined), {
      instanceOf: UnsafeLayerError,
    });
    t.true(error instanceof StoreCorruptError);
    t.true(error?.message.includes(JSON.stringify(offending)), error?.message);
    t.deepEqual(await readdir(layout.layers), []);
    t.deepEqual(await readdir(layout.tmp), []);
    t.deepEqual(await readdir(outside), before);
    t.false(await exists(join(layout.root, 'escaped')));
    t.false(await exists(join(root, 'escaped')));
    t.false(await exists(join(layout.tmp, 'escaped')));
  });
}

test('absolute names are normalised into the layer, as docker does', async (t) => {
  const layout = storeLayout(join(root, 'absolute'));
  const store = new LayerStore(layout.layers, layout.tmp);
  const tar = await makeTar([
    { name: `${outside}/planted`, body: 'inside' },
    { name: '/etc/../etc/./hosts', body: '127.0.0.1 localhost\n' },
    { name: 'lib', type: 'symlink', linkname: '/usr/lib' }, // a symlink may point anywhere
    { name: 'hl', type: 'hardlink', linkname: '/etc/hosts' },
  ]);
  const { chainId } = await store.unpack(streamOf(tar), undefined);
  const diff = store.diffPath(chainId);
  t.is(await readFile(join(diff, outside, 'planted'), 'utf8'), 'inside');
  t.is(await readFile(join(diff, 'etc/hosts'), 'utf8'), '127.0.0.1 localhost\n');
  t.is(await readFile(join(diff, 'hl'), 'utf8'), '127.0.0.1 localhost\n');
  t.false(await exists(join(outside, 'planted')));
});

test('trusted.overlay xattrs from an image are dropped', async (t) => {
  const layout = storeLayout(join(root, 'forged'));
  const store = new LayerStore(layout.layers, layout.tmp);
  const tar = await makeTar([
    {
      name: 'd',
      type: 'dir',
      xattrs: { 'trusted.overlay.redirect': Buffer.from('/etc'), 'user.ok': Buffer.from('1') },
    },
  ]);
  const { chainId } = await store.unpack(streamOf(tar), undefined);
  const { FsOps } = await import('../../../source/engine/archive/index.js');
  const fsops = FsOps.start();
  t.teardown(() => fsops.close());
  t.deepEqual(Object.keys(await fsops.xattrs(join(store.diffPath(chainId), 'd'))), ['user.ok']);
});
