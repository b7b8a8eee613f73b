// One bundle, two runtimes: the config.json berth's spec builder writes is run by the builtin
// runtime and by runc, and what the container sees must be the same (pid 1, hostname, user,
// capability sets, no_new_privs, the mount table, /dev, read-only and masked paths, limits).
import test from 'ava';
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSpec, containerEnv } from '../../source/engine/runtime/index.js';
import { RUNTIME, assertRuntimeBuilt, hostMountsUnder, makeRootfs } from './runtime-fixture.js';

let top = '';
let bundle = '';
const ids: string[] = [];

// Each line is one fact; mountinfo is reduced to mount point, type and the ro/rw flag.
const VIEW = [
  'echo pid=$$ ppid=$PPID',
  'hostname; cat /etc/hostname',
  'id',
  "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' /proc/self/status",
  'awk \'{split($6, o, ","); print "mount", $5, $9, o[1]}\' /proc/self/mountinfo | sort',
  "ls -A /dev | sort | tr '\\n' ' '; echo",
  "ls -l /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty | awk '{print $1, $5, $6, $10}'",
  'cat /proc/kcore 2>&1 | head -c 20 | wc -c',
  'echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo procsys-rw || echo procsys-ro',
  'ulimit -n; ulimit -Hn',
  'pwd; echo $HOME $PATH',
  // Counted after ps has finished: in a pipeline, whether `wc` exists yet when ps reads /proc is a race.
  'out=$(ps -o pid,comm); echo "$out" | wc -l',
].join('\n');

test.before(async () => {
  assertRuntimeBuilt();
  top = await mkdtemp(join(tmpdir(), 'berth-parity-'));
  const rootfs = await makeRootfs(join(top, 'rootfs'));
  bundle = join(top, 'bundle');
  const state = join(top, 'state');
  await mkdir(state, { recursive: true });
  await writeFile(join(state, 'hostname'), 'parity\n');
  await writeFile(join(state, 'hosts'), '127.0.0.1\tlocalhost\n127.0.0.1\tparity\n');
  await writeFile(join(state, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  const spec = buildSpec({
    rootfs,
    stateDir: state,
    hostname: 'parity',
    args: ['sh', '-c', VIEW],
    env: containerEnv([], [], 'parity', false),
    cwd: '/',
    user: { uid: 0, gid: 0 },
    tty: false,
    network: { mode: 'private' },
    cgroupsPath: '',
  });
  // The one field the two runtimes read differently (berth: host dirs; runc: its own path):
  // left out, each uses its default, and nothing compared here depends on it.
  delete (spec.linux as { cgroupsPath?: string }).cgroupsPath;
  await mkdir(bundle, { recursive: true });
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
});

test.after.always(async () => {
  for (const id of ids) await execa('runc', ['delete', '--force', id], { reject: false });
  if (top) await rm(top, { recursive: true, force: true });
});

test('the same bundle shows the same container to the builtin runtime and to runc', async (t) => {
  const builtin = await execa(RUNTIME, ['run', '--bundle', bundle], { reject: false, stdin: 'ignore' });
  const id = `berth-parity-${process.pid}`;
  ids.push(id);
  const runc = await execa('runc', ['run', '--bundle', bundle, id], { reject: false, stdin: 'ignore' });
  t.is(builtin.exitCode, 0, builtin.stderr);
  t.is(runc.exitCode, 0, runc.stderr);
  const lines = (text: string): string[] => text.split('\n');
  t.deepEqual(lines(builtin.stdout), lines(runc.stdout));
  t.regex(builtin.stdout, /^pid=1 ppid=0$/m);
  t.regex(builtin.stdout, /^CapEff:\t00000000a80425fb$/m);
  t.regex(builtin.stdout, /^mount \/ \S+ rw$/m);
  t.regex(builtin.stdout, /^procsys-ro$/m);
  t.deepEqual(await hostMountsUnder(top), []);
});
