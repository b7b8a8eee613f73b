/**
 * Logs through the monitor's json-file reader: the last lines, then new ones as the monitor
 * writes them, until the pane lets go. The reader pulls one chunk at a time as the pane consumes
 * lines, so a flood is never read further ahead than the pane has taken.
 */
import type { Engine } from '../../engine/index.js';
import { readLogs } from '../../engine/monitor/index.js';
import type { FollowOptions, LogEvent } from '../dashboard-engine.js';

export async function* followContainerLogs(
  engine: Engine,
  id: string,
  options: FollowOptions,
): AsyncIterable<LogEvent> {
  const record = await engine.containers.get(id);
  // Follow even a stopped container until the pane lets go: it may be started again meanwhile.
  const entries = readLogs(record.logPath, {
    tail: options.tail,
    since: options.sinceMs,
    follow: true,
    isRunning: async () => !options.signal.aborted,
    signal: options.signal,
    pollMs: 150,
  });
  for await (const entry of entries) {
    if (options.signal.aborted) return;
    const text = entry.log.endsWith('\n') ? entry.log.slice(0, -1) : entry.log;
    yield { stream: entry.stream, time: entry.time, text };
  }
}
