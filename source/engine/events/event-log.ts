/**
 * The store's news feed. Each change appends one JSON line to events.jsonl (O_APPEND writes of a
 * single line are atomic for lines under PIPE_BUF, and ours are short); readers follow the file
 * from an offset instead of polling the whole state.
 */
import { appendFile, open, stat, mkdir } from 'node:fs/promises';
import { watch } from 'node:fs';
import { dirname } from 'node:path';
import type { BerthEvent } from './event-types.js';

export class EventLog {
  constructor(private readonly path: string) {}

  async append(event: Omit<BerthEvent, 'time'> & { time?: number }): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const line = JSON.stringify({ time: Date.now(), ...event }) + '\n';
    await appendFile(this.path, line);
  }

  /** Current end of the log, to start following from "now". */
  async end(): Promise<number> {
    try {
      return (await stat(this.path)).size;
    } catch {
      return 0;
    }
  }

  /** Reads complete lines from `offset`; returns them and the offset after the last one. */
  async readFrom(offset: number): Promise<{ events: BerthEvent[]; offset: number }> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return { events: [], offset };
    }
    try {
      const size = (await handle.stat()).size;
      if (size < offset) offset = 0; // truncated: start over
      if (size === offset) return { events: [], offset };
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      const text = buffer.toString('utf8');
      const lastNewline = text.lastIndexOf('\n');
      if (lastNewline < 0) return { events: [], offset };
      const events: BerthEvent[] = [];
      for (const line of text.slice(0, lastNewline).split('\n')) {
        if (!line) continue;
        try {
          events.push(JSON.parse(line) as BerthEvent);
        } catch {
          // A torn line from a crashed writer: skip it rather than stop the feed.
        }
      }
      return { events, offset: offset + Buffer.byteLength(text.slice(0, lastNewline + 1)) };
    } finally {
      await handle.close();
    }
  }

  /**
   * Calls `onEvents` for every new batch of events after `offset` until the signal aborts.
   * Uses fs.watch on the directory (the file may not exist yet) with a slow poll as a safety net.
   */
  follow(offset: number, onEvents: (events: BerthEvent[]) => void, signal: AbortSignal): void {
    let position = offset;
    let reading = false;
    let again = false;
    const pump = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const { events, offset: next } = await this.readFrom(position);
          position = next;
          if (events.length > 0 && !signal.aborted) onEvents(events);
        } while (again && !signal.aborted);
      } finally {
        reading = false;
      }
    };
    const watcher = watch(dirname(this.path), { persistent: false }, () => void pump());
    const timer = setInterval(() => void pump(), 2000);
    timer.unref();
    signal.addEventListener('abort', () => {
      watcher.close();
      clearInterval(timer);
    });
    void pump();
  }
}
