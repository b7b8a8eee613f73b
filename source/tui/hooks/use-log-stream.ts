/**
 * Follows the logs of one or several containers into one bounded LogBuffer. Lines arrive as fast
 * as the container prints them, but the pane is told at most `fps` times a second: a container
 * printing 20 000 lines a second costs buffer pushes, not renders.
 */
import { useEffect, useMemo, useState } from 'react';
import type { DashboardEngine } from '../dashboard-engine.js';
import { LogBuffer, defaultLogLimits, type LogBufferLimits } from '../state/log-buffer.js';

export interface LogSource {
  id: string;
  name: string;
}

export interface LogStream {
  buffer: LogBuffer;
  /** Changes whenever new lines were added (throttled). */
  version: number;
  error?: string;
}

export function useLogStream(
  engine: DashboardEngine,
  sources: readonly LogSource[],
  options: { sinceMs?: number; tail?: number; enabled: boolean; fps?: number; limits?: LogBufferLimits },
): LogStream {
  const { sinceMs, tail, enabled, fps = 12, limits = defaultLogLimits } = options;
  const buffer = useMemo(() => new LogBuffer(limits), [limits]);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | undefined>();
  const key = sources.map((source) => `${source.id}=${source.name}`).join(',');

  useEffect(() => {
    buffer.clear();
    setVersion((value) => value + 1);
    setError(undefined);
    if (!enabled || !key) return;
    const controller = new AbortController();
    let dirty = false;
    const timer = setInterval(
      () => {
        if (!dirty) return;
        dirty = false;
        setVersion((value) => value + 1);
      },
      Math.round(1000 / fps),
    );
    for (const entry of key.split(',')) {
      const [id = '', name = ''] = entry.split('=');
      void (async () => {
        try {
          for await (const line of engine.followLogs(id, { sinceMs, tail, signal: controller.signal })) {
            buffer.push({ source: name, stream: line.stream, time: line.time, text: line.text });
            dirty = true;
          }
        } catch (thrown) {
          if (!controller.signal.aborted) setError(thrown instanceof Error ? thrown.message : String(thrown));
        }
      })();
    }
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [engine, buffer, key, sinceMs, tail, enabled, fps]);

  return { buffer, version, error };
}
