// Volumes through the real native runtime (build/berth-runtime), before the runner is wired:
// planMounts + ociMounts produce the spec mounts, berth-runtime mounts them in a new mount
// namespace, and the container sees its volumes, binds and tmpfs exactly where it asked.
import test from 'ava';
import { execa } from 'execa';
import { chown, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeLayout } from '../../../source/engine/util/index.js';
import {
  VolumeStore,
  ociMounts,
  parseMountRequest,
  planMounts,
} from '../../../source/engine/volume/index.js';
import { writeBundle } from '../../native/spec-fixture.js';
import {
  RUNTIME,
  assertRuntimeBuilt,
  hostMountsUnder,
  killIfAlive,
  makeRootfs,
  readPid,
} from '../../native/runtime-fixture.js';

let top = '';
const started: number[] = [];

test.before(async () => {
  assertRuntimeBuilt();
  top = await mkdtemp(join(tmpdir(), 'berth-volume-runtime-'));
});

test.after.always(async () => {
  for (const pid of started) killIfAlive(pid);
  if (top) await rm(top, { recursive: true, force: true });
});

async function runWith(
  name: string,
  flags: Parameters<typeof parseMountRequest>[0],
  script: string,
  store: VolumeStore,
  rootfs: string,
) {
  const planned = await planMounts(parseMountRequest(flags), {
    volumes: store,
    imageVolumes: ['/var/lib/app'],
  });
  const mounts = await ociMounts(planned.mounts, { rootfs, populate: true });
  const bundle = join(top, name);
  await writeBundle(bundle, { rootfs, stateDir: join(bundle, 'state'), args: ['sh', '-c', script] });
  const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { mounts: unknown[] };
  config.mounts.push(...mounts);
  await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
  const pidFile = join(bundle, 'pid');
  const child = execa(RUNTIME, ['run', '--bundle', bundle, '--pid-file', pidFile], {
    reject: false,
    stdin: 'ignore',
  });
  void readPid(pidFile).then((pid) => pid && started.push(pid));
  const result = await child;
  return { ...result, stdout: String(result.stdout), stderr: String(result.stderr), planned };
}

test('volumes, binds, :ro, tmpfs and copy-up inside a real container; links cannot aim mounts at the host', async (t) => {
  const rootfs = await makeRootfs(join(top, 'rootfs'));
  await mkdir(join(rootfs, 'var/lib/app'), { recursive: true });
  await writeFile(join(rootfs, 'var/lib/app/seed'), 'seeded by the image\n');
  await chown(join(rootfs, 'var/lib/app'), 1000, 1000);
  await symlink('../../../../..', join(rootfs, 'escape'));
  await symlink('/etc', join(rootfs, 'data'));
  const hostSide = join(top, 'host-bind');
  const store = new VolumeStore(storeLayout(join(top, 'store')));
  const script = [
    'cat /var/lib/app/seed',
    'stat -c "%u:%g" /var/lib/app',
    'echo written > /var/lib/app/new',
    'touch /ro/x 2>/dev/null && echo ro-writable || echo ro-refused',
    'echo tmp > /scratch/f && grep " /scratch " /proc/mounts | cut -d" " -f3',
    'echo bound > /bound/file',
    'echo data > /data/in-etc && ls /etc/in-etc',
    'echo esc > /escape/landing/f',
  ].join('; ');
  const first = await runWith(
    'first',
    {
      volume: [
        'appdata:/var/lib/app',
        'rovol:/ro:ro',
        `${hostSide}:/bound`,
        'escvol:/escape/landing',
        'etcvol:/data',
      ],
      tmpfs: ['/scratch'],
    },
    script,
    store,
    rootfs,
  );
  t.is(first.exitCode, 0, first.stderr);
  t.deepEqual(first.stdout.split('\n'), [
    'seeded by the image',
    '1000:1000',
    'ro-refused',
    'tmpfs',
    '/etc/in-etc',
  ]);
  t.deepEqual((await readdir(store.dataPath('appdata'))).sort(), ['new', 'seed']);
  t.is(await readFile(join(hostSide, 'file'), 'utf8'), 'bound\n');
  // /data -> /etc: the volume covered the container's /etc (copied up from the image's /etc).
  t.deepEqual((await readdir(store.dataPath('etcvol'))).sort(), [
    'group',
    'in-etc',
    'not-executable',
    'passwd',
  ]);
  t.deepEqual(await readdir(store.dataPath('escvol')), ['f'], '../../../.. stayed inside the root');
  t.deepEqual(await readdir(store.dataPath('rovol')), []);
  t.deepEqual(await hostMountsUnder(top), [], 'nothing mounted on the host');

  // A second container on the same named volume sees the first one's data; the image's
  // VOLUME is skipped because -v claims the path, and copy-up does not run on a volume with data.
  const second = await runWith(
    'second',
    { volume: ['appdata:/var/lib/app:ro'] },
    'cat /var/lib/app/new; touch /var/lib/app/y 2>/dev/null || echo refused',
    store,
    rootfs,
  );
  t.is(second.exitCode, 0, second.stderr);
  t.deepEqual(second.stdout.split('\n'), ['written', 'refused']);
  t.deepEqual(second.planned.anonymousVolumes, []);
});
