// A store root long enough that <root>/containers/<64 hex>/attach.sock no longer fits a unix
// socket address (108 bytes): the monitor and its clients go through an fd of the directory.
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { execa } from 'execa';
import { berth } from '../helpers/cli.js';
import { seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

let root = '';

test.before(async () => {
  cleanUpOnTermination(() => root);
  root = await mkdtemp('/tmp/berth-store-root-long-enough-to-overflow-sun-path-');
  await seedBusybox(root);
});

test.after.always(async () => {
  if (root) {
    const ids = (await berth(root, ['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
    await destroyStore(root);
    for (const id of ids) await execa('runc', ['delete', '--force', id], { reject: false });
  }
});

test.serial('foreground run, start -a, attach and runc -t all work under a long root', async (t) => {
  t.true(`${root}/containers/${'f'.repeat(64)}/attach.sock`.length > 108);
  const run = await berth(root, ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  t.is(run.exitCode, 3, run.stderr);
  t.is(run.stdout, 'out\n');
  t.is(run.stderr, 'err\n');
  const piped = await berth(root, ['run', '--rm', '-i', 'busybox', 'cat'], { input: 'through\n' });
  t.is(piped.stdout, 'through\n');
  await berth(root, ['create', '--name', 'later', 'busybox', 'sh', '-c', 'echo later; exit 2']);
  const started = await berth(root, ['start', '-a', 'later']);
  t.is(started.exitCode, 2);
  t.is(started.stdout, 'later\n');
  await berth(root, [
    'run',
    '-d',
    '-i',
    '--name',
    'bg',
    'busybox',
    'sh',
    '-c',
    'read x; echo got $x; exit 4',
  ]);
  const attached = await berth(root, ['attach', 'bg'], { input: 'it\n' });
  t.is(attached.exitCode, 4);
  t.is(attached.stdout, 'got it\n');
  const runc = await berth(root, [
    'run',
    '--rm',
    '-t',
    '--runtime',
    'runc',
    'busybox',
    'sh',
    '-c',
    'tty; exit 6',
  ]);
  t.is(runc.exitCode, 6, runc.stderr);
  t.regex(runc.stdout, /^\/dev\/pts\/0\r?$/m);
});
