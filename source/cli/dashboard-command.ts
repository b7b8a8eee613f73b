/** Loads the dashboard only when asked for: ink and react cost ~0.3 s to import. */
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
  // Loading Ink and React (~0.3 s) overlaps opening the store.
  const [engine, { startDashboard }] = await Promise.all([openEngine(argv), loadDashboard()]);
  await startDashboard(engine);
}

/**
 * Imports the dashboard with React's production build. React picks its development or
 * production build by NODE_ENV when first imported; the development one keeps debug data per
 * element and fiber and allocated about twice as much per frame, which under a log flood was a
 * large share of what V8 promoted to its old generation. NODE_ENV is put back afterwards so the
 * programs the dashboard starts (exec shells) see the user's environment.
 */
async function loadDashboard(): Promise<typeof import('../tui/index.js')> {
  const saved = {
    NODE_ENV: process.env['NODE_ENV'],
    CI: process.env['CI'],
    CONTINUOUS_INTEGRATION: process.env['CONTINUOUS_INTEGRATION'],
  };
  process.env['NODE_ENV'] = saved.NODE_ENV ?? 'production';
  // Ink decides once, when imported, whether it runs "in CI" (CI or CONTINUOUS_INTEGRATION set)
  // and then draws nothing until exit. We only get here on a real terminal, so draw.
  if (saved.CI !== undefined) process.env['CI'] = 'false';
  if (saved.CONTINUOUS_INTEGRATION !== undefined) process.env['CONTINUOUS_INTEGRATION'] = 'false';
  try {
    return await import('../tui/index.js');
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
