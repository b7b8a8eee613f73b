/**
 * Starts the dashboard on the real terminal: opens the engine through the adapter, enters the
 * alternate screen (left again on every way out), renders at most 12 frames a second, and
 * suspends itself while an exec shell owns the terminal.
 */
import React from 'react';
import { setFlagsFromString } from 'node:v8';
import { render } from 'ink';
import type { Engine } from '../engine/index.js';
import { App } from './app.js';
import { loadDashboardConfig } from './dashboard-config.js';
import { createEngineAdapter } from './engine-adapter.js';
import { runOnTerminal } from './shell-handoff.js';
import { enterAlternateScreen } from './terminal.js';

export const MAX_FPS = 12;

/**
 * How much V8 lets the old generation grow past what survived the last full collection: 50 %
 * instead of V8's own factor (up to 4x when collections are cheap). Under a log flood each frame's
 * React and Ink objects are promoted at ~0.6 MB/s and die in the old generation; with V8's factor
 * it grew from 16 MB to 60 MB between collections and RSS climbed ~45 MB before falling back,
 * with this it stays under ~32 MB (a full collection of a heap this small takes ~10 ms every
 * ~15 s). The flag is read at each collection, so setting it now takes effect.
 */
const HEAP_GROWING_PERCENT = 50;

export async function startDashboard(engine: Engine): Promise<void> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const { keymap, warnings } = await loadDashboardConfig(engine.root);
  const adapter = createEngineAdapter(engine);
  const { stdin, stdout } = process;
  const screen = enterAlternateScreen(stdout);
  let quit: () => void = () => undefined;
  const handOver = async (argv: string[]): Promise<number> => {
    screen.restore();
    try {
      return await runOnTerminal(argv, { stdin, stdout });
    } finally {
      screen.reenter();
    }
  };
  const instance = render(
    <App
      engine={adapter}
      keymap={keymap}
      warnings={warnings}
      onQuit={() => quit()}
      handOver={handOver}
      writeRaw={(text) => stdout.write(text)}
    />,
    { exitOnCtrlC: false, patchConsole: true, maxFps: MAX_FPS, stdin, stdout },
  );
  quit = () => instance.unmount();
  try {
    await instance.waitUntilExit();
  } finally {
    screen.restore();
    screen.dispose();
  }
}
