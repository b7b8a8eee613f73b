/**
 * Progress of a pull or push as typed events, one stream per transfer; the CLI draws them as
 * docker does (one line per layer) and the dashboard can show them too. The engine never prints.
 */
import type { Digest } from '../util/index.js';

export type LayerState =
  | 'waiting'
  | 'downloading'
  | 'verifying'
  | 'extracting'
  | 'done'
  | 'exists'
  | 'retrying'
  | 'preparing'
  | 'pushing'
  | 'pushed'
  | 'mounted';

export type TransferEvent =
  /** The manifest is known: which layers this transfer is about. */
  | {
      type: 'resolved';
      reference: string;
      digest: Digest;
      layers: Array<{ id: string; digest: Digest; size: number }>;
    }
  /** One layer changed state; `current`/`total` are bytes where they apply. */
  | { type: 'layer'; id: string; state: LayerState; current?: number; total?: number; detail?: string }
  /** A line worth showing that belongs to no layer ("Pulling from library/busybox"). */
  | { type: 'message'; text: string };

export type ProgressListener = (event: TransferEvent) => void;

/** The short id docker shows for a layer. */
export function layerId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Calls the listener at most every `intervalMs` for byte counts, always for state changes. */
export function throttledBytes(listener: ProgressListener | undefined, intervalMs = 100) {
  let last = 0;
  return (id: string, state: LayerState, current: number, total: number): void => {
    const now = Date.now();
    if (current < total && now - last < intervalMs) return;
    last = now;
    listener?.({ type: 'layer', id, state, current, total });
  };
}
