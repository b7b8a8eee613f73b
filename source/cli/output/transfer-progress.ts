/**
 * Docker's pull/push progress display, drawn from the engine's transfer events: on a terminal one
 * line per layer, redrawn in place with a bar and bytes; elsewhere one plain line per state
 * change (no byte counts, so logs stay short). `pull` and `push` draw on stdout; `run` and
 * `create` on stderr, since their stdout is the container's output or its id.
 */
import type { LayerState, TransferEvent } from '../../engine/registry/index.js';
import { humanSize } from './human-units.js';

const LABELS: Record<LayerState, string> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  done: 'Pull complete',
  exists: 'Already exists',
  retrying: 'Retrying',
  preparing: 'Preparing',
  pushing: 'Pushing',
  pushed: 'Pushed',
  mounted: 'Mounted from another repository',
};

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function progressPrinter(
  push: boolean,
  stream: ProgressStream = process.stdout,
): (event: TransferEvent) => void {
  const tty = Boolean(stream.isTTY);
  const order: string[] = [];
  const lines = new Map<string, string>();
  const lastState = new Map<string, LayerState>();
  let drawn = 0;
  const label = (state: LayerState): string =>
    push && state === 'exists' ? 'Layer already exists' : LABELS[state];
  const redraw = (): void => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A`);
    for (const id of order) stream.write(`\x1b[2K${lines.get(id) ?? ''}\n`);
    drawn = order.length;
  };
  return (event) => {
    if (event.type === 'message') {
      stream.write(event.text + '\n');
      return;
    }
    if (event.type === 'resolved') return;
    if (!tty) {
      if (
        lastState.get(event.id) === event.state ||
        event.state === 'downloading' ||
        event.state === 'pushing'
      )
        return;
      lastState.set(event.id, event.state);
      stream.write(`${event.id}: ${label(event.state)}${event.detail ? ` (${event.detail})` : ''}\n`);
      return;
    }
    if (!lines.has(event.id)) order.push(event.id);
    let text = `${event.id}: ${label(event.state)}`;
    if ((event.state === 'downloading' || event.state === 'pushing') && event.total) {
      const width = 40;
      const done = Math.min(width, Math.round(((event.current ?? 0) / event.total) * width));
      text += ` [${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${' '.repeat(width - done)}] ${humanSize(event.current ?? 0)}/${humanSize(event.total)}`;
    }
    lines.set(event.id, text);
    redraw();
  };
}
