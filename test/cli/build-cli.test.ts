/**
 * `berth build` as a user runs it: docker's classic progress lines, -t/-q/--iidfile/--label,
 * `-f -` and a tar context on stdin, --check, --network none, exit codes for broken Dockerfiles
 * and failing steps, and `builder prune`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { berth } from '../helpers/cli.js';
import { seedBusybox } from '../fixtures/busybox.js';

let root: string;
let context: string;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-build-cli-'));
  context = await mkdtemp(join(tmpdir(), 'berth-build-cli-ctx-'));
  await seedBusybox(root);
  await writeFile(
    join(context, 'Dockerfile'),
    'FROM busybox\nARG X=1\nRUN echo "hello $X"\nCOPY file.txt /file.txt\nCMD ["sh"]\n',
  );
  await writeFile(join(context, 'file.txt'), 'file\n');
});
test.after.always(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  if (context) await rm(context, { recursive: true, force: true });
});

test.serial("progress lines like docker's classic builder, then cache hits", async (t) => {
  const first = await berth(root, ['build', '-t', 'demo:1', '-t', 'demo', '--build-arg', 'X=2', context]);
  t.is(first.exitCode, 0, first.stderr);
  const lines = first.stdout.split('\n');
  t.regex(lines[0]!, /^Sending build context to Docker daemon {2}\d/);
  t.true(lines.includes('Step 1/5 : FROM busybox'));
  t.true(lines.includes('Step 3/5 : RUN echo "hello $X"'));
  t.true(lines.includes('hello 2'));
  t.true(lines.some((line) => /^ ---> Running in [0-9a-f]{12}$/.test(line)));
  t.true(lines.some((line) => /^Removing intermediate container [0-9a-f]{12}$/.test(line)));
  t.regex(
    first.stdout,
    /Successfully built [0-9a-f]{12}\nSuccessfully tagged demo:1\nSuccessfully tagged demo:latest\n$/,
  );
  const second = await berth(root, ['build', '-t', 'demo:1', '--build-arg', 'X=2', context]);
  t.is(second.stdout.split('\n').filter((line) => line === ' ---> Using cache').length, 4);
  t.false(second.stdout.includes('hello 2'));
  const builtId = /Successfully built ([0-9a-f]{12})/.exec(first.stdout)![1];
  t.true(second.stdout.includes(`Successfully built ${builtId}`));
  const history = await berth(root, ['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'demo:1']);
  t.regex(history.stdout, /\|1 X=2 \/bin\/sh -c echo "hello \$X"/);
});

test.serial('-q prints the id, --iidfile writes it, --label lands in the config', async (t) => {
  const iidfile = join(context, '..', `iid-${process.pid}`);
  const result = await berth(root, ['build', '-q', '--iidfile', iidfile, '--label', 'team=berth', context]);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^sha256:[0-9a-f]{64}\n$/);
  t.is(await readFile(iidfile, 'utf8'), result.stdout.trim());
  await rm(iidfile, { force: true });
  const inspect = await berth(root, [
    'image',
    'inspect',
    '--format',
    '{{json .Config.Labels}}',
    result.stdout.trim(),
  ]);
  t.is(inspect.stdout.trim(), '{"team":"berth"}');
});

test.serial('a Dockerfile on stdin (-f -) and a tar context on stdin (-)', async (t) => {
  const fromStdin = await berth(root, ['build', '-q', '-f', '-', context], {
    input: 'FROM busybox\nCOPY file.txt /x\nLABEL via=stdin\n',
  });
  t.is(fromStdin.exitCode, 0, fromStdin.stderr);
  const tar = execFileSync('tar', ['-C', context, '-cf', '-', '.']);
  const tarContext = await berth(root, ['build', '-t', 'fromtar', '-'], { input: tar });
  t.is(tarContext.exitCode, 0, tarContext.stderr);
  t.regex(tarContext.stdout, /Successfully tagged fromtar:latest/);
  const bare = await berth(root, ['build', '-q', '-'], { input: 'FROM busybox\nRUN echo bare\n' });
  t.is(bare.exitCode, 0, bare.stderr);
});

test.serial('--network none cuts RUN off from the host network', async (t) => {
  const dockerfile = 'FROM busybox\nRUN ls /sys/class/net > /ifaces && cat /ifaces\n';
  const none = await berth(root, ['build', '--network', 'none', '--no-cache', '-f', '-', context], {
    input: dockerfile,
  });
  t.is(none.exitCode, 0, none.stderr);
  t.regex(none.stdout, /^lo$/m);
  const host = await berth(root, ['build', '--no-cache', '-f', '-', context], { input: dockerfile });
  const hostIfaces = execFileSync('ls', ['/sys/class/net'], { encoding: 'utf8' }).trim().split('\n');
  for (const name of hostIfaces) t.regex(host.stdout, new RegExp(`^${name}$`, 'm'));
});

test.serial('exit codes: 1 for Dockerfile errors and failing RUN, 125 for bad flags', async (t) => {
  const broken = await berth(root, ['build', '-f', '-', context], { input: 'FROM busybox\n\nCOPPY a b\n' });
  t.is(broken.exitCode, 1);
  t.regex(broken.stderr, /Dockerfile:3: unknown instruction: COPPY/);
  const failing = await berth(root, ['build', '-f', '-', context], { input: 'FROM busybox\nRUN false\n' });
  t.is(failing.exitCode, 1);
  t.regex(failing.stderr, /The command '\/bin\/sh -c false' returned a non-zero code: 1/);
  const badTag = await berth(root, ['build', '-t', 'Bad:Tag', context]);
  t.is(badTag.exitCode, 125);
  const platform = await berth(root, ['build', '--platform', 'linux/s390x', context]);
  t.is(platform.exitCode, 125);
  t.regex(platform.stderr, /linux\/s390x is not supported/);
});

test.serial('--check reports every problem with its line and builds nothing', async (t) => {
  const result = await berth(root, ['build', '--check', '-f', '-', context], {
    input: 'FROM busybox\nCOPPY a b\nFROM busybox AS x\nFROM busybox AS x\n',
  });
  t.is(result.exitCode, 1);
  t.regex(result.stdout, /unknown instruction: COPPY.*\(Dockerfile:2\)/);
  t.regex(result.stdout, /duplicate stage name.*\(Dockerfile:4\)/);
  const clean = await berth(root, ['build', '--check', context]);
  t.is(clean.exitCode, 0, clean.stdout + clean.stderr);
});

test.serial('builder prune empties the build cache', async (t) => {
  const result = await berth(root, ['builder', 'prune', '-f']);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^Total reclaimed space: /);
  const rebuild = await berth(root, ['build', '--build-arg', 'X=2', context]);
  t.false(rebuild.stdout.includes('Using cache'));
});
