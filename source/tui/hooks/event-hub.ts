/**
 * One subscription to the engine's event log, shared by every pane: each listener names the
 * kinds it cares about, and bursts are coalesced so a hundred events cause one reload.
 */
import type { BerthEvent, EventKind } from '../../engine/index.js';
import type { DashboardEngine } from '../dashboard-engine.js';

type Listener = { kinds: ReadonlySet<EventKind>; onEvents: (events: BerthEvent[]) => void };

export class EventHub {
  private readonly listeners = new Set<Listener>();
  private unsubscribe?: () => void;

  constructor(private readonly engine: DashboardEngine) {}

  start(): void {
    this.unsubscribe ??= this.engine.subscribe((events) => {
      for (const listener of this.listeners) {
        const wanted = events.filter((event) => listener.kinds.has(event.kind));
        if (wanted.length > 0) listener.onEvents(wanted);
      }
    });
  }

  on(kinds: EventKind[], onEvents: (events: BerthEvent[]) => void): () => void {
    const listener = { kinds: new Set(kinds), onEvents };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
