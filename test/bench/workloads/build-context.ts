/**
 * `build` of an 8-step Dockerfile with a 50 MB context (2000 small files and one 40 MB file):
 * cold (no cache), fully cached rebuild, and rebuild after one copied file's content changed,
 * berth against docker (classic builder, busybox loaded from berth's own save) in the same run.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchLine } from '../run.js';
import { benchRoot, berthCli } from '../bench-images.js';
import { seedBusybox } from '../../fixtures/busybox.js';
import { CLI_MAIN } from '../../helpers/cli.js';

const RUNS = 3;

const DOCKERFILE = [
  'FROM busybox',
  'ARG VERSION=1',
  'ENV APP=/app',
  'WORKDIR /app',
  'COPY big.bin /app/big.bin',
  'COPY small/ /app/small/',
  'RUN ls /app/small | wc -l > /app/count',
  'CMD ["sh"]',
  '',
].join('\n');

async function makeContext(dir: string): Promise<void> {
  await mkdir(join(dir, 'small'), { recursive: true });
  await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
  await writeFile(join(dir, 'big.bin'), randomBytes(40 * 1024 * 1024));
  for (let i = 0; i < 2000; i++) {
    await writeFile(join(dir, 'small', `file-${String(i).padStart(4, '0')}.txt`), randomBytes(5 * 1024));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

type Builder = (args: string[]) => Promise<unknown>;

/** cold / cached / touched medians for one tool. */
async function measure(buildWith: Builder, context: string): Promise<[number, number, number]> {
  const cold: number[] = [];
  const cached: number[] = [];
  const touched: number[] = [];
  for (let i = 0; i < RUNS; i++)
    cold.push(await timed(() => buildWith(['--no-cache', '-t', 'bench:cold', context])));
  await buildWith(['-t', 'bench:warm', context]);
  for (let i = 0; i < RUNS; i++) cached.push(await timed(() => buildWith(['-t', 'bench:warm', context])));
  for (let i = 0; i < RUNS; i++) {
    await writeFile(join(context, 'small', 'file-0000.txt'), `changed ${i} ${Date.now()}`);
    touched.push(await timed(() => buildWith(['-t', 'bench:warm', context])));
  }
  return [median(cold), median(cached), median(touched)];
}

function dockerAvailable(): Promise<boolean> {
  return execa('docker', ['info'], { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
}

export async function run(): Promise<BenchLine[]> {
  const root = await benchRoot('build');
  const context = join(root, 'context');
  try {
    await seedBusybox(root);
    await makeContext(context);
    const berth = await measure((args) => berthCli(root, ['build', '-q', ...args]), context);
    const names = ['build 50 MB context: cold', 'build: fully cached', 'build: one file touched'];
    if (!(await dockerAvailable())) return names.map((name, i) => ({ name, berthMs: berth[i]! }));
    await writeFile(join(context, 'small', 'file-0000.txt'), 'reset');
    const archive = join(root, 'busybox.tar');
    await execa('node', [CLI_MAIN, '--root', root, 'save', '-o', archive, 'busybox:latest']);
    await execa('docker', ['load', '-i', archive]);
    const docker = await measure((args) => execa('docker', ['build', '-q', ...args]), context);
    await execa('docker', ['rmi', '-f', 'bench:cold', 'bench:warm'], { reject: false });
    return names.map((name, i) => ({
      name,
      berthMs: berth[i]!,
      otherName: 'docker',
      otherMs: docker[i]!,
      ratio: berth[i]! / docker[i]!,
    }));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
