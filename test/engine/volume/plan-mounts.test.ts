import test from 'ava';
import { lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeLayout } from '../../../source/engine/util/index.js';
import {
  BindSourceMissingError,
  VolumeStore,
  anonymousVolumesOf,
  inspectMounts,
  ociMounts,
  parseMountRequest,
  planMounts,
  resolveMounts,
  tmpfsHostConfig,
  type MountPoint,
} from '../../../source/engine/volume/index.js';

const roots: string[] = [];

test.after.always(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function fresh(): Promise<{ base: string; store: VolumeStore; rootfs: string }> {
  const base = await mkdtemp(join(tmpdir(), 'berth-plan-mounts-'));
  roots.push(base);
  const rootfs = join(base, 'rootfs');
  await mkdir(join(rootfs, 'var', 'lib', 'app'), { recursive: true });
  await writeFile(join(rootfs, 'var', 'lib', 'app', 'seed'), 'from image');
  await mkdir(join(rootfs, 'etc'));
  await symlink('/etc', join(rootfs, 'data'));
  return { base, store: new VolumeStore(storeLayout(join(base, 'store'))), rootfs };
}

test('plans named, anonymous, bind and tmpfs mounts and creates what they need', async (t) => {
  const { base, store } = await fresh();
  const hostDir = join(base, 'host', 'made', 'by', 'v');
  const request = parseMountRequest({
    volume: ['cache:/cache:ro', '/anon', `${hostDir}:/site`],
    mount: [
      'type=volume,source=labelled,target=/l,volume-label=team=a',
      'type=tmpfs,target=/scratch,tmpfs-size=1m',
    ],
    tmpfs: ['/run:size=64k'],
  });
  const planned = await planMounts(request, {
    volumes: store,
    imageVolumes: { '/var/lib/app': {}, '/anon': {} },
  });
  t.true((await lstat(hostDir)).isDirectory(), '-v creates a missing host directory');
  t.deepEqual((await store.get('labelled')).labels, { team: 'a' });
  const anonymous = planned.anonymousVolumes;
  t.is(anonymous.length, 2, 'one for -v /anon, one for the image VOLUME /var/lib/app (its /anon is taken)');
  t.deepEqual(anonymousVolumesOf(planned.mounts).sort(), [...anonymous].sort());
  t.deepEqual(planned.createdVolumes.sort(), ['cache', 'labelled', ...anonymous].sort());
  const byDestination = Object.fromEntries(planned.mounts.map((mount) => [mount.Destination, mount]));
  t.like(byDestination['/cache'], {
    Type: 'volume',
    Name: 'cache',
    RW: false,
    Mode: 'ro',
    Driver: 'local',
    copyData: true,
    Source: store.dataPath('cache'),
  });
  t.like(byDestination['/site'], { Type: 'bind', Source: hostDir, RW: true, Propagation: 'rprivate' });
  t.like(byDestination['/scratch'], { Type: 'tmpfs', tmpfsOptions: [`size=${1024 * 1024}`] });
  t.like(byDestination['/run'], { Type: 'tmpfs', fromTmpfsFlag: true });
  t.like(byDestination['/var/lib/app'], { Type: 'volume', anonymous: true, copyData: true });
  t.deepEqual(
    inspectMounts(planned.mounts).map((mount) => mount.Destination),
    ['/cache', '/anon', '/site', '/l', '/scratch', '/var/lib/app'],
    '--tmpfs mounts are not in inspect Mounts',
  );
  t.deepEqual(tmpfsHostConfig(planned.mounts), { '/run': 'size=64k' });
  t.deepEqual(Object.keys(inspectMounts(planned.mounts)[0] ?? {}), [
    'Type',
    'Name',
    'Source',
    'Destination',
    'Driver',
    'Mode',
    'RW',
    'Propagation',
  ]);
});

test('--mount type=bind with a missing source fails and leaves no volume behind', async (t) => {
  const { base, store } = await fresh();
  const request = parseMountRequest({
    volume: ['/anon', 'named1:/n'],
    mount: [`type=bind,source=${join(base, 'nope')},target=/x`],
  });
  await t.throwsAsync(planMounts(request, { volumes: store }), {
    instanceOf: BindSourceMissingError,
    message: /bind source path does not exist/,
  });
  t.deepEqual(await store.list(), [], 'volumes created before the failure were removed');
});

test('--volumes-from copies mounts, :ro makes them read-only, -v overrides a destination', async (t) => {
  const { store } = await fresh();
  const source = await planMounts(
    parseMountRequest({ volume: ['shared:/shared', '/anon', '/etc:/hostetc:ro'], tmpfs: ['/t'] }),
    { volumes: store },
  );
  const lookups: string[] = [];
  const containerMounts = async (name: string): Promise<MountPoint[]> => {
    lookups.push(name);
    return source.mounts;
  };
  const ro = await planMounts(parseMountRequest({ volumesFrom: ['data:ro'] }), {
    volumes: store,
    containerMounts,
  });
  t.deepEqual(lookups, ['data']);
  t.deepEqual(
    ro.mounts.map((mount) => [mount.Destination, mount.RW]),
    [
      ['/shared', false],
      ['/anon', false],
      ['/hostetc', false],
    ],
  );
  t.deepEqual(ro.anonymousVolumes, [], 'a volume borrowed with --volumes-from is not ours to remove');
  t.false(
    ro.mounts.some((mount) => mount.copyData),
    'no copy-up into a borrowed volume',
  );
  const rw = await planMounts(parseMountRequest({ volumesFrom: ['data:rw'], volume: ['other:/shared'] }), {
    volumes: store,
    containerMounts,
  });
  t.deepEqual(
    rw.mounts.map((mount) => [mount.Destination, mount.Name ?? mount.Source, mount.RW]),
    [
      ['/shared', 'other', true],
      ['/anon', source.anonymousVolumes[0], true],
      ['/hostetc', '/etc', false],
    ],
    ':rw cannot make a read-only mount writable',
  );
  await t.throwsAsync(planMounts(parseMountRequest({ volumesFrom: ['x'] }), { volumes: store }), {
    message: /--volumes-from/,
  });
});

test('ociMounts: parents first, targets resolved inside the root, copy-up on the first start only', async (t) => {
  const { base, store, rootfs } = await fresh();
  const hostFile = join(base, 'app.conf');
  await writeFile(hostFile, 'conf');
  const planned = await planMounts(
    parseMountRequest({
      volume: ['/var/lib/app/logs', 'appdata:/var/lib/app', `${hostFile}:/etc/app.conf:ro`, 'escape:/data/x'],
      tmpfs: ['/run:size=1m,exec'],
    }),
    { volumes: store },
  );
  const oci = await ociMounts(planned.mounts, { rootfs, populate: true });
  t.deepEqual(oci, [
    {
      destination: '/run',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['noexec', 'nosuid', 'nodev', 'size=1m', 'exec', 'rw', 'rprivate'],
    },
    { destination: '/etc/app.conf', type: 'bind', source: hostFile, options: ['rbind', 'rprivate', 'ro'] },
    {
      destination: '/etc/x',
      type: 'bind',
      source: store.dataPath('escape'),
      options: ['rbind', 'rprivate', 'rw'],
    },
    {
      destination: '/var/lib/app',
      type: 'bind',
      source: store.dataPath('appdata'),
      options: ['rbind', 'rprivate', 'rw'],
    },
    {
      destination: '/var/lib/app/logs',
      type: 'bind',
      source: planned.mounts[0]?.Source,
      options: ['rbind', 'rprivate', 'rw'],
    },
  ]);
  t.deepEqual(
    await readdir(store.dataPath('appdata')),
    ['seed'],
    'copy-up filled the new volume from the image',
  );
  t.true((await lstat(join(rootfs, 'etc', 'app.conf'))).isFile(), 'a file bind gets a file to mount on');
  t.true((await lstat(join(rootfs, 'etc', 'x'))).isDirectory(), '/data -> /etc resolved inside the root');
  await rm(join(store.dataPath('appdata'), 'seed'));
  await ociMounts(planned.mounts, { rootfs, populate: false });
  t.deepEqual(await readdir(store.dataPath('appdata')), [], 'no copy-up after the first start');
});

test('a child asked for through a link is mounted after its parent', async (t) => {
  const { store, rootfs } = await fresh();
  await symlink('/var/lib/app', join(rootfs, 'short'));
  const planned = await planMounts(parseMountRequest({ volume: ['kid:/short/kid', 'parent:/var/lib/app'] }), {
    volumes: store,
  });
  const oci = await ociMounts(planned.mounts, { rootfs, populate: false });
  t.deepEqual(
    oci.map((mount) => mount.destination),
    ['/var/lib/app', '/var/lib/app/kid'],
  );
});

test('nocopy and a bind source removed after create', async (t) => {
  const { base, store, rootfs } = await fresh();
  const gone = join(base, 'gone');
  const planned = await planMounts(
    parseMountRequest({
      volume: ['nc:/var/lib/app:nocopy', `${gone}:/g`],
      mount: [`type=bind,source=${base},target=/b`],
    }),
    { volumes: store },
  );
  await rm(gone, { recursive: true });
  await ociMounts(planned.mounts, { rootfs, populate: true });
  t.deepEqual(await readdir(store.dataPath('nc')), []);
  t.true((await lstat(gone)).isDirectory(), 'a -v source is made again at start');
  const strict = planned.mounts.map((mount) =>
    mount.Destination === '/b' ? { ...mount, Source: join(base, 'vanished') } : mount,
  );
  await t.throwsAsync(ociMounts(strict, { rootfs, populate: false }), { instanceOf: BindSourceMissingError });
});

test('resolveMounts does both halves from raw flags', async (t) => {
  const { store, rootfs } = await fresh();
  const resolved = await resolveMounts({ volume: ['/var/lib/app'] }, { volumes: store, rootfs });
  t.is(resolved.anonymousVolumes.length, 1);
  t.is(resolved.oci?.[0]?.destination, '/var/lib/app');
  t.deepEqual(await readdir(store.dataPath(resolved.anonymousVolumes[0] as string)), ['seed']);
  const planOnly = await resolveMounts(parseMountRequest({ volume: ['n2:/n'] }), { volumes: store });
  t.is(planOnly.oci, undefined);
});
