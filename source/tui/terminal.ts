/**
 * The terminal around the dashboard: the alternate screen, entered once and left on every way
 * out (quit, Ctrl-C, a crash, SIGTERM/SIGHUP), so the user's shell screen comes back as it was.
 */
export const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[2J\u001b[H';
export const LEAVE_ALT_SCREEN = '\u001b[?1049l';
export const SHOW_CURSOR = '\u001b[?25h';
export const HIDE_CURSOR = '\u001b[?25l';

export interface ScreenGuard {
  /** Leaves the alternate screen now (idempotent). */
  restore(): void;
  /** Enters it again after a suspension (exec shell). */
  reenter(): void;
  /** Removes the process handlers (after a clean exit). */
  dispose(): void;
}

export function enterAlternateScreen(stdout: NodeJS.WriteStream): ScreenGuard {
  let inside = false;
  const write = (text: string): void => {
    try {
      stdout.write(text);
    } catch {
      // The terminal is gone (SSH dropped): nothing left to restore.
    }
  };
  const enter = (): void => {
    if (inside) return;
    inside = true;
    write(ENTER_ALT_SCREEN + HIDE_CURSOR);
  };
  const restore = (): void => {
    if (!inside) return;
    inside = false;
    write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
    if (process.stdin.isTTY) {
      try {
        process.stdin.setRawMode(false);
      } catch {
        // stdin already closed
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    restore();
    process.exit(128 + (signal === 'SIGTERM' ? 15 : signal === 'SIGHUP' ? 1 : 2));
  };
  const onCrash = (error: unknown): void => {
    restore();
    process.stderr.write(
      `berth: the dashboard crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(70);
  };
  const onExit = (): void => restore();
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', onExit);
  enter();
  return {
    restore,
    reenter: enter,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      process.off('SIGINT', onSignal);
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
      process.off('exit', onExit);
    },
  };
}

/** OSC 52: asks the terminal (also through tmux and SSH) to put `text` on the clipboard. */
export function osc52(text: string, insideTmux = Boolean(process.env.TMUX)): string {
  const sequence = `\u001b]52;c;${Buffer.from(text).toString('base64')}\u0007`;
  // tmux passes an escape sequence to the outer terminal only when wrapped in its DCS.
  return insideTmux ? `\u001bPtmux;${sequence.replaceAll('\u001b', '\u001b\u001b')}\u001b\\` : sequence;
}
