/**
 * The terminal side of a foreground container (run without -d, start -a, attach): relays the
 * monitor's attach socket to this process's stdio, in raw mode with -t, with window resizes.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AttachSession } from '../../engine/monitor/index.js';
import type { Engine } from '../../engine/index.js';
import { isActive, readExitRecordFor } from './container-helpers.js';

export async function connectAttach(stateDir: string, timeoutMs = 10_000): Promise<AttachSession> {
  const socket = join(stateDir, 'attach.sock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await access(socket);
      return await AttachSession.connect(socket);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}

export interface RelayOptions {
  stdin: boolean;
  tty: boolean;
  /** Forward SIGINT/SIGTERM to the container (docker's --sig-proxy) when there is no tty. */
  proxySignals?: { engine: Engine; id: string };
}

export async function relay(session: AttachSession, options: RelayOptions): Promise<void> {
  session.on('stdout', (data) => process.stdout.write(data));
  session.on('stderr', (data) => process.stderr.write(data));
  const input = process.stdin;
  const raw = options.tty && input.isTTY;
  const cleanups: (() => void)[] = [];
  if (options.tty && process.stdout.isTTY) {
    const resize = (): void => session.resize(process.stdout.rows, process.stdout.columns);
    resize();
    process.stdout.on('resize', resize);
    cleanups.push(() => process.stdout.off('resize', resize));
  }
  if (options.stdin) {
    if (raw) input.setRawMode(true);
    const onData = (chunk: Buffer): void => session.write(chunk);
    const onEnd = (): void => session.closeStdin();
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
    cleanups.push(() => {
      input.off('data', onData);
      input.off('end', onEnd);
      if (raw) input.setRawMode(false);
      input.pause();
      input.unref?.();
    });
  }
  if (options.proxySignals && !options.tty) {
    const { engine, id } = options.proxySignals;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const forward = (): void => void engine.containers.kill(id, signal).catch(() => undefined);
      process.on(signal, forward);
      cleanups.push(() => process.off(signal, forward));
    }
  }
  await session.ended();
  for (const cleanup of cleanups) cleanup();
}

/**
 * After the monitor let an attached client go: waits until the record says the container
 * exited (doing the cleanup itself when no restart is due, see Containers.settle), so `rm`
 * right after never finds it running; returns the exit code the monitor sent.
 */
export async function finishAttached(
  engine: Engine,
  id: string,
  stateDir: string,
  exitCode: number | undefined,
): Promise<number> {
  // Read the monitor's exit file before settling: with --rm, settling removes the state dir, and
  // a client that missed the exit frame (the monitor closed first) must still get the real code.
  const recorded = exitCode ?? (await readExitRecordFor(stateDir));
  const settled = await engine.containers.settle(id).catch(() => undefined);
  if (recorded !== undefined) return recorded;
  if (settled && !isActive(settled.state.status)) return settled.state.exitCode;
  return (await readExitRecordFor(stateDir)) ?? (await engine.containers.wait(id).catch(() => 125));
}
