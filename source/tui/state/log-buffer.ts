/**
 * A bounded buffer of log lines for the Logs pane. It holds at most `maxLines` lines and
 * `maxBytes` of text (UTF-8), dropping the oldest first, and clips any single line to
 * `maxLineLength`, so a container printing 20 000 lines a second or one 1 MB line cannot grow
 * the dashboard's memory past its bound. Lines are numbered by a running sequence so a view can
 * keep its place while old lines fall off the front.
 *
 * The lines live off the JavaScript heap: text in one byte ring, times in fixed slots, the rest
 * in typed arrays. Holding each line as a JS object (as this buffer first did) made every line
 * of a flood live just long enough (~0.5 s at 20 000 lines/s) to be promoted to V8's old
 * generation and die there; the old generation then grew to ~100 MB of mostly garbage and RSS
 * rose by 80 MB in 30 s. Now a pushed line leaves no JS object behind, and `at()` builds one on
 * demand for the few lines a frame shows.
 */
export interface LogLine {
  /** Running number since the buffer was created; never reused. */
  seq: number;
  /** Container name (or id) the line came from, for merged streams. */
  source: string;
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano time from the json-file log. */
  time: string;
  text: string;
  /** True when the text was clipped to maxLineLength. */
  clipped: boolean;
}

export interface LogBufferLimits {
  maxLines: number;
  maxBytes: number;
  maxLineLength: number;
}

export const defaultLogLimits: LogBufferLimits = {
  maxLines: 10_000,
  maxBytes: 8 * 1024 * 1024,
  maxLineLength: 4096,
};

/** The byte ring starts this small and doubles while it is more than half full, up to maxBytes. */
const FIRST_RING = 64 * 1024;
/** RFC3339Nano with a zone offset is 35 characters; longer times are cut. */
const TIME_SLOT = 40;
const STDERR = 1;
const CLIPPED = 2;

export class LogBuffer {
  private text: Buffer | undefined;
  private capacity: number;
  private readonly times: Buffer;
  private readonly offsets: Uint32Array;
  private readonly lengths: Uint32Array;
  private readonly timeLengths: Uint8Array;
  private readonly sourceIds: Uint16Array;
  private readonly flags: Uint8Array;
  private sources: string[] = [];
  private sourceIndex = new Map<string, number>();
  /** Slot of the oldest line. */
  private start = 0;
  private count = 0;
  private bytes = 0;
  /** Where the next line's text goes in the byte ring. */
  private head = 0;
  private nextSeq = 0;

  constructor(readonly limits: LogBufferLimits = defaultLogLimits) {
    const slots = Math.max(1, limits.maxLines);
    this.times = Buffer.alloc(slots * TIME_SLOT);
    this.offsets = new Uint32Array(slots);
    this.lengths = new Uint32Array(slots);
    this.timeLengths = new Uint8Array(slots);
    this.sourceIds = new Uint16Array(slots);
    this.flags = new Uint8Array(slots);
    this.capacity = Math.max(1, Math.min(limits.maxBytes, FIRST_RING));
  }

  get size(): number {
    return this.count;
  }

  /** Bytes of text held (UTF-8). */
  get byteSize(): number {
    return this.bytes;
  }

  /** Sequence number of the oldest line still held (or of the next line when empty). */
  get firstSeq(): number {
    return this.nextSeq - this.count;
  }

  push(entry: Omit<LogLine, 'seq' | 'clipped'>): void {
    const slots = this.offsets.length;
    let clipped = entry.text.length > this.limits.maxLineLength;
    const text = clipped ? entry.text.slice(0, this.limits.maxLineLength) : entry.text;
    let length = Buffer.byteLength(text);
    if (length > this.limits.maxBytes) {
      length = Math.max(1, this.limits.maxBytes);
      clipped = true;
    }
    if (this.count === slots) this.dropOldest();
    // Ten thousand short lines need a fraction of maxBytes: grow only as the text needs.
    while (this.capacity < this.limits.maxBytes && (this.bytes + length) * 2 > this.capacity) this.grow();
    // Allocated on first use: a pane that never shows logs costs no ring.
    this.text ??= Buffer.allocUnsafeSlow(this.capacity);
    const offset = this.reserve(length, this.capacity);
    this.text.write(text, offset, length, 'utf8');
    const slot = (this.start + this.count) % slots;
    this.offsets[slot] = offset;
    this.lengths[slot] = length;
    this.timeLengths[slot] = this.times.write(entry.time, slot * TIME_SLOT, TIME_SLOT, 'latin1');
    this.sourceIds[slot] = this.sourceId(entry.source);
    this.flags[slot] = (entry.stream === 'stderr' ? STDERR : 0) | (clipped ? CLIPPED : 0);
    this.count++;
    this.bytes += length;
    this.head = offset + length;
    this.nextSeq++;
  }

  /**
   * Where `length` bytes of text can go: at the head, or at the ring's start when they do not
   * fit before its end. Lines in the way (always the oldest ones) are dropped.
   */
  private reserve(length: number, capacity: number): number {
    let at = this.head;
    if (at + length > capacity) {
      // Lines of the previous lap between the head and the ring's end go with the wasted tail.
      while (this.count > 0 && this.offsetOfOldest() >= at) this.dropOldest();
      at = 0;
    }
    while (this.count > 0) {
      const oldest = this.offsetOfOldest();
      if (oldest < at || oldest >= at + length) break;
      this.dropOldest();
    }
    // An empty ring restarts at 0 so a long line never lands past a short lap's leftovers.
    return this.count === 0 ? 0 : at;
  }

  /** Doubles the ring (up to maxBytes), moving the held lines to its start in order. */
  private grow(): void {
    const capacity = Math.min(this.limits.maxBytes, this.capacity * 2);
    if (this.text) {
      const bigger = Buffer.allocUnsafeSlow(capacity);
      let at = 0;
      for (let index = 0; index < this.count; index++) {
        const slot = this.slotOf(index);
        const offset = this.offsets[slot] ?? 0;
        const length = this.lengths[slot] ?? 0;
        this.text.copy(bigger, at, offset, offset + length);
        this.offsets[slot] = at;
        at += length;
      }
      this.text = bigger;
      this.head = at;
    }
    this.capacity = capacity;
  }

  private offsetOfOldest(): number {
    return this.offsets[this.start] ?? 0;
  }

  private sourceId(source: string): number {
    let id = this.sourceIndex.get(source);
    if (id === undefined) {
      id = this.sources.length;
      this.sources.push(source);
      this.sourceIndex.set(source, id);
    }
    return id;
  }

  private dropOldest(): void {
    this.bytes -= this.lengths[this.start] ?? 0;
    this.start = (this.start + 1) % this.offsets.length;
    this.count--;
  }

  private slotOf(index: number): number {
    return (this.start + index) % this.offsets.length;
  }

  /** The text of the i-th line held (0 = oldest), without building the whole line. */
  textAt(index: number): string | undefined {
    if (index < 0 || index >= this.count || !this.text) return undefined;
    const slot = this.slotOf(index);
    const offset = this.offsets[slot] ?? 0;
    return this.text.toString('utf8', offset, offset + (this.lengths[slot] ?? 0));
  }

  /** The i-th line held (0 = oldest). */
  at(index: number): LogLine | undefined {
    const text = this.textAt(index);
    if (text === undefined) return undefined;
    const slot = this.slotOf(index);
    const flags = this.flags[slot] ?? 0;
    const timeAt = slot * TIME_SLOT;
    return {
      seq: this.firstSeq + index,
      source: this.sources[this.sourceIds[slot] ?? 0] ?? '',
      stream: flags & STDERR ? 'stderr' : 'stdout',
      time: this.times.toString('latin1', timeAt, timeAt + (this.timeLengths[slot] ?? 0)),
      text,
      clipped: (flags & CLIPPED) !== 0,
    };
  }

  /** Lines [from, to) by position; used for windowed rendering. */
  slice(from: number, to: number): LogLine[] {
    const result: LogLine[] = [];
    for (let index = Math.max(0, from); index < Math.min(to, this.count); index++) {
      const line = this.at(index);
      if (line) result.push(line);
    }
    return result;
  }

  clear(): void {
    // The ring is kept: a cleared pane usually fills again at the same rate.
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
    this.head = 0;
    this.sources = [];
    this.sourceIndex = new Map();
  }
}
