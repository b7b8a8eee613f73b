/**
 * A bounded buffer of log lines for the Logs pane. It holds at most `maxLines` lines and
 * `maxBytes` of text, dropping the oldest first, and clips any single line to `maxLineLength`,
 * so a container printing 20 000 lines a second or one 1 MB line cannot grow the dashboard's
 * memory past its bound. Lines are numbered by a running sequence so a view can keep its place
 * while old lines fall off the front.
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

export class LogBuffer {
  private lines: (LogLine | undefined)[];
  private start = 0;
  private count = 0;
  private bytes = 0;
  private nextSeq = 0;

  constructor(readonly limits: LogBufferLimits = defaultLogLimits) {
    this.lines = new Array<LogLine | undefined>(limits.maxLines);
  }

  get size(): number {
    return this.count;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Sequence number of the oldest line still held (or of the next line when empty). */
  get firstSeq(): number {
    return this.count === 0 ? this.nextSeq : (this.lines[this.start]?.seq ?? this.nextSeq);
  }

  push(entry: Omit<LogLine, 'seq' | 'clipped'>): void {
    const clipped = entry.text.length > this.limits.maxLineLength;
    const text = clipped ? entry.text.slice(0, this.limits.maxLineLength) : entry.text;
    const line: LogLine = { ...entry, text, clipped, seq: this.nextSeq++ };
    if (this.count === this.limits.maxLines) this.dropOldest();
    const index = (this.start + this.count) % this.limits.maxLines;
    this.lines[index] = line;
    this.count++;
    this.bytes += text.length;
    while (this.bytes > this.limits.maxBytes && this.count > 1) this.dropOldest();
  }

  private dropOldest(): void {
    const oldest = this.lines[this.start];
    if (oldest) this.bytes -= oldest.text.length;
    this.lines[this.start] = undefined;
    this.start = (this.start + 1) % this.limits.maxLines;
    this.count--;
  }

  /** The i-th line held (0 = oldest). */
  at(index: number): LogLine | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.lines[(this.start + index) % this.limits.maxLines];
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
    this.lines = new Array<LogLine | undefined>(this.limits.maxLines);
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
