/** Renders the whole dashboard shell over a MemoryEngine with ink-testing-library. */
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../../source/tui/app.js';
import { defaultKeymap, type KeyBinding } from '../../../source/tui/keymap.js';
import type { MemoryEngine } from '../memory-engine.js';

export const settle = (ms = 60): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const keys = {
  down: '\u001b[B',
  up: '\u001b[A',
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  pageUp: '\u001b[5~',
};

const mounted = new Set<{ unmount: () => void }>();

/** Unmounts whatever a failed test left mounted, so its timers do not keep ava alive. */
export function unmountAll(): void {
  for (const instance of mounted) instance.unmount();
  mounted.clear();
}

export function renderApp(engine: MemoryEngine, options: { keymap?: readonly KeyBinding[] } = {}) {
  const handedOver: string[][] = [];
  const raw: string[] = [];
  let quit = 0;
  const instance = render(
    <App
      engine={engine}
      keymap={options.keymap ?? defaultKeymap}
      onQuit={() => quit++}
      handOver={async (argv) => {
        handedOver.push(argv);
        return 0;
      }}
      writeRaw={(text) => raw.push(text)}
    />,
  );
  mounted.add(instance);
  const frame = (): string => instance.lastFrame() ?? '';
  /** Waits until the frame matches (the engine calls and renders are asynchronous). */
  const waitFor = async (pattern: RegExp, timeoutMs = 3000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(frame()) && Date.now() < deadline) await settle(20);
    return frame();
  };
  const press = async (...inputs: string[]): Promise<void> => {
    for (const input of inputs) {
      instance.stdin.write(input);
      await settle(30);
    }
    await settle();
  };
  return { ...instance, press, waitFor, handedOver, raw, quits: () => quit, frame };
}
