/**
 * Samples stats for the given containers only (the visible running rows, or the one the Stats
 * pane shows) every `intervalMs`, into a StatsHistory, and calls `onRound` after each round —
 * or, given `shown`, only after a round that changed what a row shows: fifty idle containers
 * then cost file reads every round but no redraw.
 */
import { useEffect, useRef } from 'react';
import type { DashboardEngine } from '../dashboard-engine.js';
import type { StatsHistory, StatsPoint } from '../state/stats-history.js';

export function useStatsSampler(
  engine: DashboardEngine,
  history: StatsHistory,
  ids: readonly string[],
  onRound: () => void,
  intervalMs = 2000,
  shown?: (point: StatsPoint | undefined) => string,
): void {
  const shownRef = useRef(shown);
  shownRef.current = shown;
  const roundRef = useRef(onRound);
  roundRef.current = onRound;
  const key = ids.join(',');
  useEffect(() => {
    if (!key) return;
    const wanted = key.split(',');
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const sample = async (): Promise<void> => {
      let changed = false;
      await Promise.all(
        wanted.map(async (id) => {
          try {
            const show = shownRef.current;
            const before = show?.(history.latest(id));
            const point = history.add(id, await engine.containerStats(id));
            if (!show || show(point) !== before) changed = true;
          } catch {
            // Stopped between the list and the sample, or stats not offered: the cell stays empty.
          }
        }),
      );
      if (stopped) return;
      if (changed) roundRef.current();
      timer = setTimeout(() => void sample(), intervalMs);
    };
    void sample();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [engine, history, key, intervalMs]);
}
