/**
 * Client of the monitor's `<state>/attach.sock` (PROTOCOL.md). Monitor → client frames carry
 * output: [stream:u8 (1 stdout, 2 stderr, 3 exit code u32)][length:u32 BE][data]. Client →
 * monitor frames carry input: [type:u8 (0 stdin, 1 close stdin, 2 resize rows:u16 cols:u16,
 * 3 cleanup handled)]
 * [length:u32 BE][payload].
 */
import { connect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

export const FRAME_STDIN = 0;
export const FRAME_CLOSE_STDIN = 1;
export const FRAME_RESIZE = 2;
/** Client → monitor: this client cleans up after the exit; the monitor skips its exit command. */
export const FRAME_CLEANUP_HANDLED = 3;
/** Client → monitor: nothing but the end of an --attach-wait hold (any first frame ends it). */
export const FRAME_GO = 4;
/** Monitor → client: the container's exit code, sent once before the monitor lets go. */
export const STREAM_EXIT = 3;
/** sun_path's size on Linux, NUL included. */
const SUN_PATH_MAX = 108;

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
  exit: [number];
  end: [];
  /** Node's own, emitted before a listener is added; used to replay held output. */
  newListener: [eventName: string | symbol, listener: unknown];
}

/**
 * Connects to a unix socket at any path length: past sun_path's 108 bytes (a long store root),
 * through an fd of its directory (/proc/self/fd/N/name), which the kernel resolves like the
 * long path. The fd is closed once connected.
 */
export async function connectUnix(path: string): Promise<Socket> {
  const attempt = (address: string): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect(address);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  if (Buffer.byteLength(path) < SUN_PATH_MAX) return attempt(path);
  const slash = path.lastIndexOf('/');
  const dir = await open(path.slice(0, Math.max(1, slash)), 'r');
  try {
    return await attempt(join(`/proc/self/fd/${dir.fd}`, path.slice(slash + 1)));
  } finally {
    await dir.close();
  }
}

/** A connected attach session; `end` fires when the monitor closes it (container exited). */
export class AttachSession extends EventEmitter<AttachEvents> {
  /** The container's exit code once the monitor sent it (undefined: not yet, or monitor gone). */
  exitCode: number | undefined;

  private constructor(private readonly socket: Socket) {
    super();
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.stream === STREAM_EXIT) {
          if (frame.data.length >= 4) {
            this.exitCode = frame.data.readInt32BE(0);
            this.emit('exit', this.exitCode);
          }
        } else this.deliver(frame.stream === 2 ? 'stderr' : 'stdout', frame.data);
      }
    });
    // Output that arrives before anyone listens (the monitor execs the container the moment we
    // connect) is held and replayed once a consumer subscribes, so a quick `echo` is never lost.
    this.on('newListener', (event) => {
      if ((event === 'stdout' || event === 'stderr') && this.held.length > 0)
        setImmediate(() => this.replay());
    });
    socket.on('close', () => this.emit('end'));
    socket.on('error', () => socket.destroy());
  }

  private held: { stream: 'stdout' | 'stderr'; data: Buffer }[] = [];

  private deliver(stream: 'stdout' | 'stderr', data: Buffer): void {
    if (this.held.length > 0 || (this.listenerCount('stdout') === 0 && this.listenerCount('stderr') === 0)) {
      this.held.push({ stream, data });
    } else this.emit(stream, data);
  }

  private replay(): void {
    const held = this.held;
    this.held = [];
    for (const { stream, data } of held) this.emit(stream, data);
  }

  static async connect(socketPath: string): Promise<AttachSession> {
    return new AttachSession(await connectUnix(socketPath));
  }

  write(data: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(FRAME_STDIN, data));
  }

  /** Writes a raw client → monitor frame (encodeFrame); resolves once the kernel has it. */
  send(frame: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.socket.write(frame, () => resolve());
    });
  }

  /**
   * Ends the monitor's --attach-wait hold (the container's process starts only after a client's
   * first frame). With `cleansUp` the frame is "cleanup handled": this client settles the exit
   * itself and the monitor skips its exit command, said before the container can possibly exit.
   */
  release(cleansUp: boolean): Promise<void> {
    return this.send(encodeFrame(cleansUp ? FRAME_CLEANUP_HANDLED : FRAME_GO));
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
