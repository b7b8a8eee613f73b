/**
 * Where `berth run --rm busybox true` spends its time, phase by phase, from the timestamps of a
 * few syscalls (strace with a seccomp filter, so untraced syscalls run at full speed). Not part of
 * `npm run bench`; run it by hand after a change to the start/cleanup path:
 *   node --import tsx test/bench/profile-run-rm.ts [runs]
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CLI_MAIN } from '../helpers/cli.js';
import { containerStore, disposeContainerStore } from './bench-containers.js';
import { median } from './bench-tools.js';

const run = promisify(execFile);

interface Event {
  pid: string;
  ms: number;
  text: string;
}

function parse(trace: string): Event[] {
  return trace
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid = '', clock = '0:0:0', ...rest] = line.split(' ');
      const [h = 0, m = 0, s = 0] = clock.split(':').map(Number);
      return { pid, ms: (h * 3600 + m * 60 + s) * 1000, text: rest.join(' ') };
    });
}

type Mark = [name: string, matches: (event: Event, cli: string, container: string) => boolean];

/** Phase boundaries, in order; each names what happened since the previous one. */
const MARKS: Mark[] = [
  ['node start + CLI import + argument parsing', (e) => /^mkdir\(".*\/layers"/.test(e.text)],
  ['engine open + image resolve', (e) => /^mkdir\(".*\/containers\/[0-9a-f]{64}"/.test(e.text)],
  ['record write, lock, start preparation', (e) => /^execve\("[^"]*\/mount", .*= 0$/.test(e.text)],
  ['overlay mount (exec mount)', (e) => e.text.startsWith('mkdir("/sys/fs/cgroup')],
  ['cgroups, spec build + write, spawn monitor', (e) => /^execve\(".*berth-runtime"/.test(e.text)],
  ['monitor: daemonize, namespaces, mounts', (e) => e.text.startsWith('pivot_root')],
  [
    'masked paths, monitor exits, record, attach',
    (e) => e.text.startsWith('connect(') && e.text.includes('attach.sock'),
  ],
  ['attach handshake → exec', (e) => e.text.startsWith('execve("/bin/true"')],
  [
    'container runs and exits',
    (e, _cli, container) => e.pid === container && e.text.startsWith('exit_group'),
  ],
  [
    'exit noticed, cleanup (umount, cgroups, record, rm), exit',
    (e, cli) => e.pid === cli && e.text.startsWith('exit_group'),
  ],
];

/** Phase durations, plus how long the monitor's own `container cleanup` process lived (if any). */
function phases(events: Event[]): { split: number[]; background?: number } | undefined {
  const cli = events[0]?.pid ?? '';
  let container = '';
  const times = [events[0]?.ms ?? 0];
  let from = 0;
  for (const [, matches] of MARKS) {
    const index = events.findIndex((event, i) => i >= from && matches(event, cli, container));
    if (index < 0) return undefined;
    const event = events[index];
    if (event?.text.startsWith('execve("/bin/true"')) container = event.pid;
    times.push(event?.ms ?? 0);
    from = index + 1;
  }
  const split = times.slice(1).map((ms, i) => ms - (times[i] ?? 0));
  const cleanup = events.find((e) => /^execve\("[^"]*\/node"/.test(e.text) && e.text.includes('"cleanup"'));
  const ended = cleanup && events.find((e) => e.pid === cleanup.pid && e.text.startsWith('exit_group'));
  return { split, background: cleanup && ended ? ended.ms - cleanup.ms : undefined };
}

export async function profile(runs: number): Promise<string> {
  const root = await containerStore();
  const trace = join(root, 'trace.txt');
  const samples: number[][] = [];
  const background: number[] = [];
  try {
    await run('node', [CLI_MAIN, '--root', root, 'run', '--rm', 'busybox', 'true']);
    for (let i = 0; i < runs; i++) {
      await run('strace', [
        ...['--seccomp-bpf', '-f', '-tt', '-qq', '-o', trace],
        ...['-e', 'trace=execve,exit_group,mkdir,connect,pivot_root'],
        ...['node', CLI_MAIN, '--root', root, 'run', '--rm', 'busybox', 'true'],
      ]);
      const found = phases(parse(await readFile(trace, 'utf8')));
      if (found) samples.push(found.split);
      if (found?.background !== undefined) background.push(found.background);
      await rm(trace, { force: true });
    }
  } finally {
    await disposeContainerStore(root);
  }
  const rows = MARKS.map(([name], i) => {
    const values = samples.map((sample) => sample[i] ?? 0);
    return `${name.padEnd(52)} ${median(values).toFixed(1).padStart(7)} ms`;
  });
  const total = median(samples.map((sample) => sample.reduce((sum, ms) => sum + ms, 0)));
  const lines = [...rows, `${'total (under strace)'.padEnd(52)} ${total.toFixed(1).padStart(7)} ms`];
  if (background.length > 0) {
    const ms = median(background).toFixed(1).padStart(7);
    lines.push(`${"monitor's `container cleanup` process (beside)".padEnd(52)} ${ms} ms`);
  }
  return `${samples.length} of ${runs} runs parsed\n${lines.join('\n')}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write((await profile(Number(process.argv[2] ?? 7))) + '\n');
}
