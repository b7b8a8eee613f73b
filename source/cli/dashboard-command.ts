/** Loads the dashboard only when asked for: ink and react cost ~150 ms to import. */
import type { GlobalOptions } from './context.js';
import { BerthError } from '../engine/index.js';

export async function runDashboard(_argv: GlobalOptions): Promise<void> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new BerthError(
      'NO_TTY',
      'the dashboard needs a terminal; use `berth ps`, `berth images`, `berth logs` … without one',
      1,
    );
  }
  throw new BerthError('NOT_IMPLEMENTED', 'the dashboard is not built yet', 125);
}
