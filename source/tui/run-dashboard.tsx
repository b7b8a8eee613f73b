/**
 * Starts the dashboard on the real terminal: opens the engine through the adapter, enters the
 * alternate screen (left again on every way out), renders at most 12 frames a second, and
 * suspends itself while an exec shell owns the terminal.
 */
import React from 'react';
import { render } from 'ink';
import type { Engine } from '../engine/index.js';
import { App } from './app.js';
import { loadDashboardConfig } from './dashboard-config.js';
import { createEngineAdapter } from './engine-adapter.js';
import { runOnTerminal } from './shell-handoff.js';
import { enterAlternateScreen } from './terminal.js';

export const MAX_FPS = 12;

export async function startDashboard(engine: Engine): Promise<void> {
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
