/**
 * Reads docker json-file logs (`{"log":…,"stream":…,"time":…}` per line) as the monitor writes
 * them, across rotated files (log.N … log.1, log), streaming: memory stays bounded by one chunk
 * whatever the log's size. `tail` scans backwards from the end; `follow` keeps reading as the
 * file grows or rotates until the container stops.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  stream: LogStream;
  log: string;
  /** RFC3339Nano as written by the monitor. */
  time: string;
}

export interface ReadLogOptions {
  /** Only the last N lines (before following). */
  tail?: number;
  /** Epoch milliseconds; entries strictly before are skipped. */
  since?: number;
  /** Epoch milliseconds; entries after are skipped (and following stops). */
  until?: number;
  follow?: boolean;
  /** While following: whether more output may still come. */
  isRunning?: () => Promise<boolean>;
  signal?: AbortSignal;
  pollMs?: number;
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/** Existing log files oldest first: path.N … path.1, path. */
export async function logFiles(path: string, maxScan = 100): Promise<string[]> {
  const files: string[] = [];
  for (let index = 1; index <= maxScan; index++) {
    const candidate = `${path}.${index}`;
    if (!(await stat(candidate).catch(() => undefined))) break;
    files.unshift(candidate);
  }
  if (await stat(path).catch(() => undefined)) files.push(path);
  return files;
}

/** Offset where the last `lines` complete lines of the file start, and how many it found. */
async function tailOffset(handle: FileHandle, lines: number): Promise<{ offset: number; found: number }> {
  const size = (await handle.stat()).size;
  const buffer = Buffer.alloc(CHUNK);
  let end = size;
  let found = 0;
  let skippedTrailing = false;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    for (let index = bytesRead - 1; index >= 0; index--) {
      if (buffer[index] !== NEWLINE) continue;
      if (!skippedTrailing && start + index === size - 1) {
        skippedTrailing = true;
        continue;
      }
      if (++found === lines) return { offset: start + index + 1, found };
    }
    end = start;
  }
  // The first line of the file has no newline before it.
  return { offset: 0, found: size > 0 ? found + 1 : 0 };
}

/** Reads complete lines from a handle starting at `position`, remembering where it stopped. */
class LineCursor {
  private pending: Buffer[] = [];
  constructor(
    readonly handle: FileHandle,
    public position: number,
  ) {}

  async *lines(): AsyncGenerator<string> {
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, CHUNK, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      let start = 0;
      for (
        let index = buffer.indexOf(NEWLINE, 0);
        index >= 0 && index < bytesRead;
        index = buffer.indexOf(NEWLINE, start)
      ) {
        const piece = buffer.subarray(start, index);
        const line =
          this.pending.length > 0
            ? Buffer.concat([...this.pending, piece]).toString('utf8')
            : piece.toString('utf8');
        this.pending = [];
        start = index + 1;
        yield line;
      }
      if (start < bytesRead) this.pending.push(Buffer.from(buffer.subarray(start, bytesRead)));
    }
  }
}

export function parseLogLine(line: string): LogEntry | undefined {
  if (!line) return undefined;
  try {
    const value = JSON.parse(line) as Partial<LogEntry>;
    if (typeof value.log !== 'string' || typeof value.time !== 'string') return undefined;
    return { log: value.log, stream: value.stream === 'stderr' ? 'stderr' : 'stdout', time: value.time };
  } catch {
    return undefined; // a torn line from a crash: skip, as docker does
  }
}

function inWindow(entry: LogEntry, options: ReadLogOptions): 'skip' | 'keep' | 'stop' {
  if (options.since === undefined && options.until === undefined) return 'keep';
  const time = Date.parse(entry.time);
  if (options.since !== undefined && time < options.since) return 'skip';
  if (options.until !== undefined && time > options.until) return 'stop';
  return 'keep';
}

export async function* readLogs(path: string, options: ReadLogOptions = {}): AsyncGenerator<LogEntry> {
  const files = await logFiles(path);
  const starts = new Map<string, number>();
  if (options.tail !== undefined && options.tail >= 0) {
    let wanted = options.tail;
    for (const file of [...files].reverse()) {
      if (wanted <= 0) {
        starts.set(file, Infinity);
        continue;
      }
      const handle = await open(file, 'r');
      try {
        const { offset, found } = await tailOffset(handle, wanted);
        starts.set(file, offset);
        wanted -= found;
      } finally {
        await handle.close();
      }
    }
  }
  // Old rotated files are complete: read them through.
  const current = files.at(-1) === path ? files.pop() : undefined;
  for (const file of files) {
    const start = starts.get(file) ?? 0;
    if (start === Infinity) continue;
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) continue; // rotated away while we read: its lines moved on
    try {
      for await (const line of new LineCursor(handle, start).lines()) {
        const entry = parseLogLine(line);
        if (!entry) continue;
        const verdict = inWindow(entry, options);
        if (verdict === 'stop') return;
        if (verdict === 'keep') yield entry;
        if (options.signal?.aborted) return;
      }
    } finally {
      await handle.close();
    }
  }
  yield* readCurrent(path, current ? (starts.get(current) ?? 0) : 0, options);
}

/** The live file: read to its end, then (with follow) keep reading across rotations. */
async function* readCurrent(path: string, start: number, options: ReadLogOptions): AsyncGenerator<LogEntry> {
  let handle = await open(path, 'r').catch(() => undefined);
  let cursor = handle
    ? new LineCursor(handle, start === Infinity ? (await handle.stat()).size : start)
    : undefined;
  try {
    for (;;) {
      if (cursor) {
        for await (const line of cursor.lines()) {
          const entry = parseLogLine(line);
          if (!entry) continue;
          const verdict = inWindow(entry, options);
          if (verdict === 'stop') return;
          if (verdict === 'keep') yield entry;
          if (options.signal?.aborted) return;
        }
      }
      if (!options.follow || options.signal?.aborted) return;
      // Rotated? Finish the old file (done above) and switch to the new one.
      const onDisk = await stat(path).catch(() => undefined);
      if (onDisk && handle && onDisk.ino !== (await handle.stat()).ino) {
        await handle.close();
        handle = await open(path, 'r');
        cursor = new LineCursor(handle, 0);
        continue;
      }
      if (onDisk && !handle) {
        handle = await open(path, 'r');
        cursor = new LineCursor(handle, 0);
        continue;
      }
      const running = options.isRunning ? await options.isRunning() : false;
      if (!running) {
        // One last pass: the monitor flushes its final lines before the container is reported down.
        if (cursor) {
          for await (const line of cursor.lines()) {
            const entry = parseLogLine(line);
            if (entry && inWindow(entry, options) === 'keep') yield entry;
          }
        }
        return;
      }
      await sleep(options.pollMs ?? 100);
    }
  } finally {
    await handle?.close();
  }
}

/** docker's json-file line for `entry` (used by tests and by tools that append logs). */
export function formatLogLine(entry: LogEntry): string {
  return JSON.stringify({ log: entry.log, stream: entry.stream, time: entry.time }) + '\n';
}
