// `--help` works for every command and subcommand berth lists, including the verbs whose flags
// are parsed by their own parser (run, create, exec), as `docker run --help` does.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth } from '../helpers/cli.js';

const root = await mkdtemp(join(tmpdir(), 'berth-help-'));

test.after.always(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The verbs `berth [group] --help` lists under Commands. */
async function verbsOf(prefix: string[]): Promise<string[]> {
  const help = await berth(root, [...prefix, '--help']);
  const section = help.stdout.split('Commands:')[1]?.split('Options:')[0] ?? '';
  const words = section
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts[0] === 'berth')
    .map((parts) => parts[1 + prefix.length] ?? '');
  return [...new Set(words.filter((word) => /^[a-z]/.test(word)))];
}

test('every listed command and subcommand prints its help and exits 0', async (t) => {
  const top = await verbsOf([]);
  t.true(top.includes('run') && top.includes('exec') && top.includes('images'), top.join(' '));
  const failures: string[] = [];
  for (const verb of top) {
    const sub = verb === 'completion' ? [] : await verbsOf([verb]);
    for (const words of [[verb], ...sub.map((name) => [verb, name])]) {
      const result = await berth(root, [...words, '--help']);
      if (result.exitCode !== 0 || !/berth/.test(result.stdout)) {
        failures.push(`${words.join(' ')}: ${result.exitCode} ${result.stderr.trim()}`);
      }
    }
  }
  t.deepEqual(failures, []);
});

test('run, create and exec --help describe their flags; run -h stays --hostname', async (t) => {
  const run = await berth(root, ['run', '--help']);
  t.is(run.exitCode, 0, run.stderr);
  t.regex(run.stdout, /^Usage: berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]/);
  t.regex(run.stdout, /-h, --hostname\s+Container host name/);
  t.regex(run.stdout, /--pids-limit\s+Tune container pids limit/);
  const create = await berth(root, ['create', '--help']);
  t.regex(create.stdout, /^Usage: berth create /);
  const exec = await berth(root, ['exec', '--help']);
  t.is(exec.exitCode, 0, exec.stderr);
  t.regex(exec.stdout, /^Usage: berth exec \[OPTIONS\] CONTAINER COMMAND/);
  t.is((await berth(root, ['exec', '-h'])).exitCode, 0);
  // After the image, --help belongs to the container's command: nothing is printed by berth.
  const missing = await berth(root, ['run', 'no-such-image-here', '--help']);
  t.not(missing.exitCode, 0);
  t.notRegex(missing.stdout, /Usage:/);
  const hostnameOnly = await berth(root, ['run', '-h']);
  t.is(hostnameOnly.exitCode, 125);
});
