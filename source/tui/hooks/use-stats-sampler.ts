/**
 * Samples stats for the given containers only (the visible running rows, or the one the Stats
 * pane shows) every `intervalMs`, into a StatsHistory, and calls `onRound` after each round.
 * Given `shown` (the text a row shows), it calls `onRound` only after a round that changed some
 * row's text, and reads containers whose text stays the same less often (StatsSchedule): fifty
 * idle containers then cost a few file reads a second and no redraw.
 */
import { useEffect, useRef } from 'react';
import type { DashboardEngine } from '../dashboard-engine.js';
import type { StatsHistory, StatsPoint } from '../state/stats-history.js';
import { StatsSchedule } from '../state/stats-schedule.js';

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
    const schedule = new StatsSchedule();
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const sample = async (): Promise<void> => {
      let changed = false;
      const show = shownRef.current;
      await Promise.all(
        (show ? schedule.due(wanted) : wanted).map(async (id) => {
          try {
            const before = show?.(history.latest(id));
            const point = history.add(id, await engine.containerStats(id));
            const moved = !show || show(point) !== before;
            schedule.record(id, moved);
            if (moved) changed = true;
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
