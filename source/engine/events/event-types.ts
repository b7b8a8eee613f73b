/** One line of events.jsonl: what changed, to what, when. The dashboard follows these. */
export type EventKind = 'image' | 'container' | 'volume' | 'build';

export interface BerthEvent {
  /** Unix time in milliseconds. */
  time: number;
  kind: EventKind;
  /** docker's event verbs: create, start, die, destroy, pull, tag, untag, delete, … */
  action: string;
  /** Full id of the thing (container id, image id, volume name). */
  id: string;
  attributes?: Record<string, string>;
}
