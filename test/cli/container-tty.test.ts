// The foreground faces of a container through real terminals (node-pty drives the built CLI):
// `run -it` (prompt, input, window size, Ctrl-C, exit code), `exec -it`, `attach`, `start -a`,
// and `run` returning only once the record says the container exited.
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import pty from 'node-pty';
import { berth, CLI_MAIN } from '../helpers/cli.js';
import { seedBusybox } from '../fixtures/busybox.js';
import { cleanUpOnTermination, destroyStore } from './container-cleanup-helper.js';

let root = '';

test.before(async () => {
  cleanUpOnTermination(() => root);
  root = await mkdtemp('/tmp/bt-');
  await seedBusybox(root);
});

test.after.always(async () => {
  if (root) await destroyStore(root);
});

/** The built CLI in a real terminal of 100×30. */
function terminal(args: string[]) {
  const term = pty.spawn('node', [CLI_MAIN, '--root', root, ...args], {
    cols: 100,
    rows: 30,
    env: { ...process.env, TERM: 'xterm' } as Record<string, string>,
  });
  let output = '';
  term.onData((data) => (output += data));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  /** Resolves once the output (from `from` on) matches; rejects after 20 s with what came. */
  const see = async (pattern: RegExp, from = 0): Promise<number> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const match = pattern.exec(output.slice(from));
      if (match) return from + match.index + match[0].length;
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)} in: ${JSON.stringify(output)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { term, see, exited, output: () => output };
}

async function ok(args: string[]): Promise<string> {
  const result = await berth(root, args);
  if (result.exitCode !== 0)
    throw new Error(`berth ${args.join(' ')} → ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

test.serial(
  'run -it: prompt, input, window size and resize, Ctrl-C, exit code; rm right after',
  async (t) => {
    const { term, see, exited } = terminal(['run', '-it', '--name', 'tty1', 'busybox', 'sh']);
    try {
      let at = await see(/# /);
      term.write('echo hello-$((1+2))\r');
      at = await see(/^hello-3\r?$/m, at);
      term.write('tty; stty size\r');
      at = await see(/^\/dev\/pts\/0\r?$/m, at);
      at = await see(/^30 100\r?$/m, at);
      term.resize(120, 40);
      await new Promise((resolve) => setTimeout(resolve, 200));
      term.write('stty size\r');
      at = await see(/^40 120\r?$/m, at);
      // Ctrl-C reaches the foreground process in the container, not berth.
      term.write('sleep 30\r');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = Date.now();
      term.write('\x03');
      term.write('echo status=$?\r');
      await see(/^status=130\r?$/m, at);
      t.true(Date.now() - before < 10_000, 'sleep was interrupted');
      term.write('exit 7\r');
      t.is(await exited, 7);
    } finally {
      term.kill('SIGKILL');
    }
    // The record said "exited" before run returned: rm needs no -f.
    t.is(
      (await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.Config.Tty}}', 'tty1'])).trim(),
      'exited 7 true',
    );
    await ok(['rm', 'tty1']);
  },
);

test.serial('exec -it: a pty inside a running container, its size, its exit code', async (t) => {
  await ok(['run', '-d', '--name', 'ex1', 'busybox', 'sleep', '300']);
  const { term, see, exited } = terminal(['exec', '-it', 'ex1', 'sh']);
  try {
    let at = await see(/# /);
    term.write('tty; stty size; cat /proc/1/cmdline | tr "\\0" " "; echo\r');
    at = await see(/^\/dev\/pts\/\d+\r?$/m, at);
    at = await see(/^30 100\r?$/m, at);
    await see(/^sleep 300 \r?$/m, at);
    term.write('exit 5\r');
    t.is(await exited, 5);
  } finally {
    term.kill('SIGKILL');
  }
  const notTty = await berth(root, ['exec', 'ex1', 'sh', '-c', 'test -t 0 || echo no-tty; exit 3']);
  t.is(notTty.exitCode, 3);
  t.is(notTty.stdout, 'no-tty\n');
  await ok(['rm', '-f', 'ex1']);
});

test.serial('attach to a detached -it container: input reaches it, its exit code comes back', async (t) => {
  await ok(['run', '-d', '-it', '--name', 'att1', 'busybox', 'sh']);
  const { term, see, exited } = terminal(['attach', 'att1']);
  try {
    term.write('echo attached-$((6*7))\r');
    await see(/^attached-42\r?$/m);
    term.write('exit 9\r');
    t.is(await exited, 9);
  } finally {
    term.kill('SIGKILL');
  }
  t.is((await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'att1'])).trim(), 'exited 9');
  const stopped = await berth(root, ['attach', 'att1']);
  t.is(stopped.exitCode, 125);
  t.regex(stopped.stderr, /You cannot attach to a stopped container/);
  await ok(['rm', 'att1']);
});

test.serial('start -a relays output and the exit code; start -ai delivers stdin', async (t) => {
  await ok(['create', '--name', 'sa1', 'busybox', 'sh', '-c', 'echo started; echo oops >&2; exit 4']);
  const first = await berth(root, ['start', '-a', 'sa1']);
  t.is(first.exitCode, 4);
  t.is(first.stdout, 'started\n');
  t.is(first.stderr, 'oops\n');
  const again = await berth(root, ['start', '-a', 'sa1']);
  t.is(again.exitCode, 4, 'a second start -a runs it again');
  await ok(['create', '-i', '--name', 'sa2', 'busybox', 'sh', '-c', 'read x; echo got $x']);
  const input = await berth(root, ['start', '-ai', 'sa2'], { input: 'yo\n' });
  t.is(input.exitCode, 0, input.stderr);
  t.is(input.stdout, 'got yo\n');
  await ok(['rm', 'sa1', 'sa2']);
});

test.serial(
  'foreground run: exit codes pass through --rm; rm right after never races the monitor',
  async (t) => {
    const failed = await berth(root, [
      'run',
      '--rm',
      '--name',
      'gone',
      'busybox',
      'sh',
      '-c',
      'echo out; exit 3',
    ]);
    t.is(failed.exitCode, 3);
    t.is(failed.stdout, 'out\n');
    t.is((await berth(root, ['inspect', 'gone'])).exitCode, 1, '--rm removed it before run returned');
    const piped = await berth(root, ['run', '--rm', '-i', 'busybox', 'tr', 'a-z', 'A-Z'], {
      input: 'shout\n',
    });
    t.is(piped.stdout, 'SHOUT\n');
    for (let i = 0; i < 5; i++) {
      await ok(['run', '--name', `quick${i}`, 'busybox', 'true']);
      await ok(['rm', `quick${i}`]);
    }
    const left = await ok(['ps', '-a', '--format', '{{.Names}}']);
    t.false(/quick/.test(left), left);
  },
);
