/** Loads the dashboard only when asked for: ink and react cost ~150 ms to import. */
import type { GlobalOptions } from './context.js';
import { openEngine } from './context.js';
import { BerthError } from '../engine/index.js';

export async function runDashboard(argv: GlobalOptions): Promise<void> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new BerthError(
      'NO_TTY',
      'the dashboard needs a terminal; use `berth ps`, `berth images`, `berth logs` … without one',
      1,
    );
  }
  const engine = await openEngine(argv);
  const { startDashboard } = await import('../tui/index.js');
  await startDashboard(engine);
}
