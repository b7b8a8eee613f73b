// `cp` both ways (owners with and without -a, links in the container that point at the host
// resolved inside its root) and `export`, on running and stopped containers.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berth, berthBytes } from '../helpers/cli.js';
import { seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

let root = '';
let host = '';

test.before(async () => {
  cleanUpOnTermination(() => root);
  root = await mkdtemp('/tmp/bf-');
  host = await mkdtemp('/tmp/bf-host-');
  await seedBusybox(root);
});

test.after.always(async () => {
  if (root) await destroyStore(root);
  if (host) await rm(host, { recursive: true, force: true });
});

async function ok(args: string[]): Promise<string> {
  const result = await berth(root, args);
  if (result.exitCode !== 0)
    throw new Error(`berth ${args.join(' ')} → ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

const inside = async (name: string, script: string): Promise<string> =>
  ok(['exec', name, 'sh', '-c', script]);

async function mountsUnder(path: string): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(path + '/'));
}

test.serial('cp into a running container: owners become root unless -a keeps them', async (t) => {
  await ok(['run', '-d', '--name', 'cp1', 'busybox', 'sleep', '300']);
  const dir = join(host, 'tree');
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(join(dir, 'sub', 'file'), 'from host\n', { mode: 0o640 });
  await chown(join(dir, 'sub', 'file'), 1234, 4321);
  await ok(['cp', dir, 'cp1:/data']);
  await ok(['cp', '-a', dir, 'cp1:/data-a']);
  t.is(await inside('cp1', 'cat /data/sub/file'), 'from host\n');
  t.is(await inside('cp1', 'stat -c "%u:%g %a" /data/sub/file /data-a/sub/file'), '0:0 640\n1234:4321 640\n');
  // Into an existing directory: the source's name is kept, as cp(1) does.
  await ok(['cp', join(dir, 'sub', 'file'), 'cp1:/tmp']);
  t.is(await inside('cp1', 'cat /tmp/file'), 'from host\n');
});

test.serial('cp out of a container: owned by the caller unless -a; a missing path is an error', async (t) => {
  await inside('cp1', 'mkdir -p /out/deep && echo inside > /out/deep/f && chown -R 65534:65534 /out');
  await ok(['cp', 'cp1:/out', join(host, 'plain')]);
  await ok(['cp', '-a', 'cp1:/out', join(host, 'kept')]);
  t.is(await readFile(join(host, 'plain', 'deep', 'f'), 'utf8'), 'inside\n');
  t.is((await stat(join(host, 'plain', 'deep', 'f'))).uid, 0);
  t.is((await stat(join(host, 'kept', 'deep', 'f'))).uid, 65534);
  const missing = await berth(root, ['cp', 'cp1:/no/such', join(host, 'x')]);
  t.not(missing.exitCode, 0);
  t.regex(missing.stderr, /no such|not found/i);
});

test.serial('links in the container that point at the host are resolved inside its root', async (t) => {
  const marker = `berth-cp-escape-${process.pid}`;
  await inside('cp1', 'ln -s / /escape; ln -s ../../../../../../../tmp /tmp/up; ln -s /etc /etclink');
  await writeFile(join(host, marker), 'payload\n');
  // Each of these would land in the host's /tmp or /etc if a link were followed outside.
  await ok(['cp', join(host, marker), 'cp1:/escape/tmp/']);
  await ok(['cp', join(host, marker), `cp1:/tmp/up/${marker}-2`]);
  await ok(['cp', join(host, marker), `cp1:/etclink/${marker}`]);
  await t.throwsAsync(stat(join('/tmp', marker + '-2')), { code: 'ENOENT' });
  await t.throwsAsync(stat(join('/etc', marker)), { code: 'ENOENT' });
  t.is(await inside('cp1', `cat /tmp/${marker} /tmp/${marker}-2 /etc/${marker}`), 'payload\n'.repeat(3));
  // Out of the container through the same links: the container's files, never the host's.
  await ok(['cp', 'cp1:/escape/etc/passwd', join(host, 'passwd-out')]);
  t.is(await readFile(join(host, 'passwd-out'), 'utf8'), await inside('cp1', 'cat /etc/passwd'));
  // A link copied out stays a link (not followed to the host's /etc).
  await ok(['cp', 'cp1:/etclink', join(host, 'link-out')]);
  t.is(execFileSync('readlink', [join(host, 'link-out')], { encoding: 'utf8' }), '/etc\n');
});

test.serial('cp and export on a stopped container mount its rootfs only for the copy', async (t) => {
  await ok(['stop', '-t', '0', 'cp1']);
  t.deepEqual(await mountsUnder(root), [], 'stopped: nothing mounted');
  await ok(['cp', 'cp1:/data/sub/file', join(host, 'after-stop')]);
  t.is(await readFile(join(host, 'after-stop'), 'utf8'), 'from host\n');
  await ok(['cp', join(host, 'after-stop'), 'cp1:/root/']);
  t.deepEqual(await mountsUnder(root), []);
  const tarPath = join(host, 'cp1.tar');
  await ok(['export', '-o', tarPath, 'cp1']);
  const listing = execFileSync('tar', ['-tvf', tarPath], { encoding: 'utf8' });
  t.regex(listing, / \.\/bin\/busybox$/m);
  t.regex(listing, /^-rw-r-----? 1234\/4321 .* \.\/data-a\/sub\/file$/m);
  t.regex(listing, / \.\/root\/after-stop$/m);
  t.deepEqual(await mountsUnder(root), [], 'export unmounted again');
  const piped = await berthBytes(root, ['export', 'cp1']);
  t.is(piped.exitCode, 0, piped.stderr);
  t.is(piped.stdout.length, (await stat(tarPath)).size, 'stdout carries the same archive');
  await ok(['start', 'cp1']);
  t.is(await inside('cp1', 'cat /root/after-stop'), 'from host\n', 'a copy into a stopped container is kept');
  await ok(['rm', '-f', 'cp1']);
});
