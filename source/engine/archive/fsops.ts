/**
 * Client for build/berth-fsops: mknod and xattrs, which Node has no API for. One helper process
 * serves many requests; requests are pipelined and replies come back in order, so a layer with
 * thousands of xattrs costs one process and a few pipe writes, not a spawn per file.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BerthError } from '../errors/index.js';
import { nativeBinary } from './native-binary.js';

export class FsOpsError extends BerthError {
  readonly errno: number;

  constructor(operation: string, path: string, errno: number, reason: string) {
    super('FSOPS_FAILED', `${operation} ${path}: ${reason}`, 125);
    this.errno = errno;
  }
}

interface Pending {
  operation: string;
  path: string;
  resolve: (reply: string) => void;
  reject: (error: Error) => void;
}

export type NodeKind = 'char' | 'block' | 'fifo';

const KIND_LETTER: Record<NodeKind, string> = { char: 'c', block: 'b', fifo: 'p' };
const ENOTSUP = 95;

export class FsOps {
  private readonly pending: Pending[] = [];
  private exited?: Error;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => this.onReply(line));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-1000);
    });
    child.stdin.on('error', () => undefined); // reported by 'close' below
    child.on('close', (code, signal) => {
      this.exited = new BerthError(
        'FSOPS_EXITED',
        `berth-fsops exited (${code ?? signal}) ${stderr.trim()}`,
        125,
      );
      for (const request of this.pending.splice(0)) request.reject(this.exited);
    });
    child.on('error', (error) => {
      this.exited = error;
      for (const request of this.pending.splice(0)) request.reject(error);
    });
  }

  /** Starts the helper; throws NativeBinaryMissingError when it was never built. */
  static start(): FsOps {
    const child = spawn(nativeBinary('fsops'), ['batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new FsOps(child);
  }

  private onReply(line: string): void {
    const request = this.pending.shift();
    if (!request) return;
    if (line === 'ok' || line.startsWith('ok ')) {
      request.resolve(line.slice(3));
      return;
    }
    const match = /^err (\d+) (.*)$/.exec(line);
    const errno = match ? Number(match[1]) : 0;
    request.reject(new FsOpsError(request.operation, request.path, errno, match?.[2] ?? line));
  }

  private request(operation: string, fields: string[]): Promise<string> {
    if (this.exited) return Promise.reject(this.exited);
    for (const field of fields) {
      if (field.includes('\0'))
        return Promise.reject(new FsOpsError(operation, fields[0] ?? '', 22, 'NUL in name'));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ operation, path: fields[0] ?? '', resolve, reject });
      this.child.stdin.write([operation, ...fields].join('\0') + '\0');
    });
  }

  async mknod(path: string, kind: NodeKind, mode: number, major = 0, minor = 0): Promise<void> {
    await this.request('mknod', [
      path,
      KIND_LETTER[kind],
      (mode & 0o7777).toString(8),
      String(major),
      String(minor),
    ]);
  }

  async lsetxattr(path: string, name: string, value: Buffer): Promise<void> {
    await this.request('setxattr', [path, name, value.toString('hex')]);
  }

  async lchown(path: string, uid: number, gid: number): Promise<void> {
    await this.request('chown', [path, String(uid), String(gid)]);
  }

  /** Every xattr of `path` (not following a final symlink); empty where unsupported. */
  async xattrs(path: string): Promise<Record<string, Buffer>> {
    let reply: string;
    try {
      reply = await this.request('xattrs', [path]);
    } catch (error) {
      if (error instanceof FsOpsError && error.errno === ENOTSUP) return {};
      throw error;
    }
    const result: Record<string, Buffer> = {};
    for (const pair of reply.split(' ')) {
      if (!pair) continue;
      const [name = '', value = ''] = pair.split('=');
      result[Buffer.from(name, 'hex').toString('utf8')] = Buffer.from(value, 'hex');
    }
    return result;
  }

  /** Ends the helper after it answered everything asked so far. */
  async close(): Promise<void> {
    if (this.exited) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    await closed;
  }
}
