/**
 * Samples stats for the given containers only (the visible running rows, or the one the Stats
 * pane shows) every `intervalMs`, into a StatsHistory, and calls `onRound` after each round.
 */
import { useEffect, useRef } from 'react';
import type { DashboardEngine } from '../dashboard-engine.js';
import type { StatsHistory } from '../state/stats-history.js';

export function useStatsSampler(
  engine: DashboardEngine,
  history: StatsHistory,
  ids: readonly string[],
  onRound: () => void,
  intervalMs = 2000,
): void {
  const roundRef = useRef(onRound);
  roundRef.current = onRound;
  const key = ids.join(',');
  useEffect(() => {
    if (!key) return;
    const wanted = key.split(',');
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const sample = async (): Promise<void> => {
      await Promise.all(
        wanted.map(async (id) => {
          try {
            history.add(id, await engine.containerStats(id));
          } catch {
            // Stopped between the list and the sample, or stats not offered: the cell stays empty.
          }
        }),
      );
      if (stopped) return;
      roundRef.current();
      timer = setTimeout(() => void sample(), intervalMs);
    };
    void sample();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [engine, history, key, intervalMs]);
}
