// Shared pieces of the native runtime tests: a busybox rootfs, the binary, polling, the
// attach-socket client (PROTOCOL.md framing) and a check that nothing leaked into the
// host's mount table.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUNTIME = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'berth-runtime');

export function assertRuntimeBuilt(): void {
  if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run node scripts/build-native.js`);
}

/** A minimal rootfs from Debian's busybox-static: /bin/busybox, its applet links, passwd, group. */
export async function makeRootfs(dir: string): Promise<string> {
  for (const sub of [
    'bin',
    'sbin',
    'usr/bin',
    'usr/sbin',
    'etc',
    'proc',
    'sys',
    'dev',
    'tmp',
    'root',
    'home/app',
  ]) {
    await mkdir(join(dir, sub), { recursive: true });
  }
  await copyFile('/bin/busybox', join(dir, 'bin/busybox'));
  const applets = execFileSync('/bin/busybox', ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const applet of applets) {
    if (applet === 'bin/busybox') continue;
    const depth = applet.split('/').length - 1;
    await symlink('../'.repeat(depth) + 'bin/busybox', join(dir, applet)).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      },
    );
  }
  await writeFile(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  );
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nnogroup:x:65534:\n');
  await writeFile(join(dir, 'etc/not-executable'), 'just text\n');
  return dir;
}

/** Mount points under `dir` as the host sees them: must stay empty. */
export async function hostMountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/mounts', 'utf8');
  return text.split('\n').filter((line) => line.split(' ')[1]?.startsWith(dir));
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killIfAlive(pid: number | undefined): void {
  if (pid === undefined || !isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function readPid(file: string): Promise<number | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    const pid = Number.parseInt(text, 10);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A client of the monitor's attach.sock: collects output frames, sends stdin/resize frames. */
export class AttachClient {
  readonly stdout: Buffer[] = [];
  readonly stderr: Buffer[] = [];
  /** From the monitor's exit frame (stream 3), sent just before it closes the connection. */
  exitCode: number | undefined;
  private pending = Buffer.alloc(0);
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static connect(path: string): Promise<AttachClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => resolve(new AttachClient(socket)));
      socket.once('error', reject);
    });
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + length) break;
      const data = this.pending.subarray(5, 5 + length);
      if (this.pending[0] === 3) this.exitCode = data.readInt32BE(0);
      else (this.pending[0] === 2 ? this.stderr : this.stdout).push(Buffer.from(data));
      this.pending = this.pending.subarray(5 + length);
    }
  }

  text(stream: 'stdout' | 'stderr' = 'stdout'): string {
    return Buffer.concat(this[stream]).toString('utf8');
  }

  private frame(type: number, payload: Buffer): void {
    const header = Buffer.alloc(5);
    header[0] = type;
    header.writeUInt32BE(payload.length, 1);
    this.socket.write(Buffer.concat([header, payload]));
  }

  sendStdin(data: string): void {
    this.frame(0, Buffer.from(data));
  }

  closeStdin(): void {
    this.frame(1, Buffer.alloc(0));
  }

  /** Ends an --attach-wait hold; with `cleansUp`, as "cleanup handled" (frame 3), else "go" (4). */
  release(cleansUp = false): void {
    this.frame(cleansUp ? 3 : 4, Buffer.alloc(0));
  }

  resize(rows: number, cols: number): void {
    const payload = Buffer.alloc(4);
    payload.writeUInt16BE(rows, 0);
    payload.writeUInt16BE(cols, 2);
    this.frame(2, payload);
  }

  end(): void {
    this.socket.destroy();
  }
}
