import test from 'ava';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import {
  formatLogLine,
  readLogs,
  FrameDecoder,
  encodeFrame,
  resizeFrame,
  type LogEntry,
} from '../../../source/engine/monitor/index.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'b-logs-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = (second: number): string =>
  new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString().replace('Z', '123456Z');
const entry = (text: string, second: number, stream: LogEntry['stream'] = 'stdout'): string =>
  formatLogLine({ log: text + '\n', stream, time: at(second) });

async function collect(iterable: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for await (const item of iterable) entries.push(item);
  return entries;
}

test('reads rotated files oldest first, tails across them, filters since/until', async (t) => {
  const path = join(dir, 'rot.log');
  await writeFile(`${path}.2`, entry('a', 1) + entry('b', 2));
  await writeFile(`${path}.1`, entry('c', 3) + entry('d', 4, 'stderr'));
  await writeFile(path, entry('e', 5) + entry('f', 6));
  t.deepEqual(
    (await collect(readLogs(path))).map((e) => e.log.trim()),
    ['a', 'b', 'c', 'd', 'e', 'f'],
  );
  t.deepEqual(
    (await collect(readLogs(path, { tail: 3 }))).map((e) => e.log.trim()),
    ['d', 'e', 'f'],
  );
  t.deepEqual((await collect(readLogs(path, { tail: 0 }))).length, 0);
  t.deepEqual((await collect(readLogs(path, { tail: 100 }))).length, 6);
  const window = await collect(readLogs(path, { since: Date.parse(at(3)), until: Date.parse(at(4)) + 500 }));
  t.deepEqual(
    window.map((e) => `${e.stream}:${e.log.trim()}`),
    ['stdout:c', 'stderr:d'],
  );
});

test('200 000 lines: tail 10 and a full pass in bounded memory', async (t) => {
  const path = join(dir, 'big.log');
  const out = createWriteStream(path);
  for (let i = 0; i < 200_000; i++) {
    if (!out.write(entry(`line ${i} ${'x'.repeat(60)}`, i % 60))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const tail = await collect(readLogs(path, { tail: 10 }));
  t.is(tail.length, 10);
  t.true(tail[9]?.log.startsWith('line 199999 '));
  const before = process.memoryUsage().heapUsed;
  let count = 0;
  let peak = 0;
  for await (const item of readLogs(path)) {
    if (item) count++;
    if (count % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
  }
  t.is(count, 200_000);
  // The file is ~20 MB; streaming keeps the heap growth far below it.
  t.true(peak < 15 * 1024 * 1024, `heap grew ${peak}`);
});

test('follow picks up appended lines and a rotation, and ends when the container stops', async (t) => {
  const path = join(dir, 'follow.log');
  await writeFile(path, entry('first', 1));
  let running = true;
  const seen: string[] = [];
  const done = (async () => {
    for await (const item of readLogs(path, { follow: true, pollMs: 20, isRunning: async () => running }))
      seen.push(item.log.trim());
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await appendFile(path, entry('second', 2));
  await new Promise((resolve) => setTimeout(resolve, 100));
  await appendFile(path, entry('third', 3));
  await rename(path, `${path}.1`);
  await writeFile(path, entry('fourth', 4));
  await new Promise((resolve) => setTimeout(resolve, 150));
  running = false;
  await done;
  t.deepEqual(seen, ['first', 'second', 'third', 'fourth']);
});

test('attach frames encode and decode across chunk boundaries', (t) => {
  const decoder = new FrameDecoder();
  const frames = Buffer.concat([
    Buffer.from([1, 0, 0, 0, 2]),
    Buffer.from('hi'),
    Buffer.from([2, 0, 0, 0, 3]),
    Buffer.from('err'),
  ]);
  t.deepEqual(decoder.push(frames.subarray(0, 4)), []);
  const decoded = decoder.push(frames.subarray(4));
  t.deepEqual(
    decoded.map((f) => [f.stream, f.data.toString()]),
    [
      [1, 'hi'],
      [2, 'err'],
    ],
  );
  t.deepEqual([...encodeFrame(0, Buffer.from('x'))], [0, 0, 0, 0, 1, 120]);
  t.deepEqual([...resizeFrame(24, 80)], [2, 0, 0, 0, 4, 0, 24, 0, 80]);
});
