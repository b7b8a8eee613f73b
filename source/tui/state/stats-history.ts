/**
 * Recent stats samples per container, free of Ink: CPU % from two samples (CPU time over wall
 * time, as docker stats shows it, 100% = one core), bounded history for the sparklines.
 */
import type { StatsSample } from '../dashboard-engine.js';

export interface StatsPoint {
  time: number;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimit: number;
}

export class StatsHistory {
  private readonly last = new Map<string, StatsSample>();
  private readonly points = new Map<string, StatsPoint[]>();

  constructor(readonly maxPoints = 120) {}

  /** Records a sample; returns the point it makes (CPU % needs a previous sample, else 0). */
  add(id: string, sample: StatsSample): StatsPoint {
    const previous = this.last.get(id);
    this.last.set(id, sample);
    const wallNs = previous ? (sample.time - previous.time) * 1e6 : 0;
    const cpuNs = previous ? sample.cpuUsageNs - previous.cpuUsageNs : 0;
    const cpuPercent = wallNs > 0 && cpuNs > 0 ? (cpuNs / wallNs) * 100 : 0;
    const point = {
      time: sample.time,
      cpuPercent,
      memoryBytes: sample.memoryUsage,
      memoryLimit: sample.memoryLimit,
    };
    const series = this.points.get(id) ?? [];
    series.push(point);
    if (series.length > this.maxPoints) series.splice(0, series.length - this.maxPoints);
    this.points.set(id, series);
    return point;
  }

  latest(id: string): StatsPoint | undefined {
    return this.points.get(id)?.at(-1);
  }

  series(id: string): readonly StatsPoint[] {
    return this.points.get(id) ?? [];
  }

  /** Forgets containers no longer listed, so the history stays bounded by what exists. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of [...this.points.keys()]) {
      if (!ids.has(id)) {
        this.points.delete(id);
        this.last.delete(id);
      }
    }
  }
}

const bars = '▁▂▃▄▅▆▇█';

/** The last `width` values as a sparkline scaled to `max` (or the largest value). */
export function sparkline(values: readonly number[], width: number, max?: number): string {
  const shown = values.slice(-width);
  const top = max ?? Math.max(0, ...shown);
  return shown
    .map((value) => {
      if (top <= 0) return bars[0];
      const level = Math.round((Math.min(value, top) / top) * (bars.length - 1));
      return bars[Math.max(0, level)];
    })
    .join('');
}
