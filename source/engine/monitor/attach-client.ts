/**
 * Client of the monitor's `<state>/attach.sock` (PROTOCOL.md). Monitor → client frames carry
 * output: [stream:u8 (1 stdout, 2 stderr)][length:u32 BE][data]. Client → monitor frames carry
 * input: [type:u8 (0 stdin, 1 close stdin, 2 resize rows:u16 cols:u16)][length:u32 BE][payload].
 */
import { connect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';

export const FRAME_STDIN = 0;
export const FRAME_CLOSE_STDIN = 1;
export const FRAME_RESIZE = 2;

export function encodeFrame(type: number, payload: Uint8Array = new Uint8Array()): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

export function resizeFrame(rows: number, cols: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(Math.max(0, Math.min(0xffff, rows)), 0);
  payload.writeUInt16BE(Math.max(0, Math.min(0xffff, cols)), 2);
  return encodeFrame(FRAME_RESIZE, payload);
}

/** Splits a byte stream into frames; keeps at most one partial frame. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: number; data: Buffer }[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: { stream: number; data: Buffer }[] = [];
    while (this.buffer.length >= 5) {
      const length = this.buffer.readUInt32BE(1);
      if (this.buffer.length < 5 + length) break;
      frames.push({ stream: this.buffer.readUInt8(0), data: this.buffer.subarray(5, 5 + length) });
      this.buffer = this.buffer.subarray(5 + length);
    }
    return frames;
  }
}

export interface AttachEvents {
  stdout: [Buffer];
  stderr: [Buffer];
  end: [];
}

/** A connected attach session; `end` fires when the monitor closes it (container exited). */
export class AttachSession extends EventEmitter<AttachEvents> {
  private constructor(private readonly socket: Socket) {
    super();
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) this.emit(frame.stream === 2 ? 'stderr' : 'stdout', frame.data);
    });
    socket.on('close', () => this.emit('end'));
    socket.on('error', () => socket.destroy());
  }

  static connect(socketPath: string): Promise<AttachSession> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      socket.once('connect', () => resolve(new AttachSession(socket)));
      socket.once('error', reject);
    });
  }

  write(data: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(FRAME_STDIN, data));
  }

  closeStdin(): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(FRAME_CLOSE_STDIN));
  }

  resize(rows: number, cols: number): void {
    if (!this.socket.destroyed) this.socket.write(resizeFrame(rows, cols));
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolves when the monitor closes the session. */
  ended(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.once('end', resolve);
    });
  }
}
