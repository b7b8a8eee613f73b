import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { berth } from '../helpers/cli.js';
import { seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

let root = '';
test.before(async () => {
  cleanUpOnTermination(() => root);
  root = await mkdtemp('/tmp/b-');
  await seedBusybox(root);
});
test.after.always(async () => {
  if (root) await destroyStore(root);
});

test.serial('logs -f follows a running container and ends when it exits; --tail, -t, stderr', async (t) => {
  const run = await berth(root, [
    'run',
    '-d',
    'busybox',
    'sh',
    '-c',
    'for i in 1 2 3 4 5; do echo out$i; sleep 0.2; done; echo oops >&2',
  ]);
  t.is(run.exitCode, 0, run.stderr);
  const id = run.stdout.trim();
  const follow = await berth(root, ['logs', '-f', id], { timeout: 30_000 });
  t.is(follow.exitCode, 0);
  t.is(follow.stdout, 'out1\nout2\nout3\nout4\nout5\n');
  t.is(follow.stderr, 'oops\n');
  const tail = await berth(root, ['logs', '--tail', '2', id]);
  t.is(tail.stdout, 'out5\n');
  t.is(tail.stderr, 'oops\n');
  const stamped = await berth(root, ['logs', '-t', '--tail', '1', id]);
  t.regex(stamped.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z oops\n$/);
  const since = await berth(root, ['logs', '--since', '1h', id]);
  t.regex(since.stdout, /out1/);
  const future = await berth(root, ['logs', '--since', String(Math.floor(Date.now() / 1000) + 3600), id]);
  t.is(future.stdout, '');
  t.is((await berth(root, ['rm', id])).exitCode, 0);
});

test.serial('--log-opt max-size/max-file rotate the json-file log', async (t) => {
  const run = await berth(root, [
    'run',
    '-d',
    '--log-opt',
    'max-size=10k',
    '--log-opt',
    'max-file=3',
    'busybox',
    'sh',
    '-c',
    'i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done',
  ]);
  t.is(run.exitCode, 0, run.stderr);
  const id = run.stdout.trim();
  await berth(root, ['wait', id]);
  const log = `${root}/containers/${id}/${id}-json.log`;
  t.true(existsSync(`${log}.1`));
  t.true(existsSync(`${log}.2`));
  t.false(existsSync(`${log}.3`));
  const logs = await berth(root, ['logs', '--tail', '1', id]);
  t.is(logs.stdout, 'line1999\n');
  t.is((await berth(root, ['rm', id])).exitCode, 0);
});
