/** Text for the panes' columns: docker's STATUS wording, CPU and memory figures, short ids. */
import { ago, humanDuration, humanSize } from '../../cli/output/human-units.js';
import type { ContainerSummary } from '../dashboard-engine.js';

export { ago, humanSize };

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * Whether the clock should move the screen from `from` to `to`: when some container's STATUS
 * text reads differently, or at least once a minute (ages such as "5 minutes ago" elsewhere).
 * Fifty containers up for hours then cost one redraw a minute, not one every tick.
 */
export function clockMoves(containers: readonly ContainerSummary[], from: number, to: number): boolean {
  if (to - from >= 60_000) return true;
  return containers.some((container) => statusText(container, from) !== statusText(container, to));
}

/** docker ps's STATUS: "Up 3 minutes", "Up 2 hours (Paused)", "Exited (137) 5 seconds ago", "Created". */
export function statusText(container: ContainerSummary, now = Date.now()): string {
  switch (container.status) {
    case 'running':
      return `Up ${humanDuration(now - container.startedMs)}`;
    case 'paused':
      return `Up ${humanDuration(now - container.startedMs)} (Paused)`;
    case 'restarting':
      return `Restarting (${container.exitCode}) ${ago(container.finishedMs || now, now)}`;
    case 'exited':
      return container.finishedMs
        ? `Exited (${container.exitCode}) ${ago(container.finishedMs, now)}`
        : `Exited (${container.exitCode})`;
    case 'created':
      return 'Created';
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
  }
}

export function percent(value: number | undefined): string {
  return value === undefined ? '' : `${value.toFixed(1)}%`;
}

export function memory(bytes: number | undefined): string {
  return bytes === undefined ? '' : humanSize(bytes);
}

/** Pads or clips `text` to exactly `width` columns (ellipsis when clipped). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : text.slice(0, width - 1) + '…';
  return text.padEnd(width);
}
