/**
 * Colours by meaning, in one place, so NO_COLOR (https://no-color.org) turns every one of them
 * off: with it set, state is still told by words and by dim/bold/inverse, never by colour alone.
 */
import type { ContainerStatus } from './dashboard-engine.js';

export type Tone = 'running' | 'paused' | 'stopped' | 'error' | 'accent' | 'muted' | 'match' | 'ok' | 'warn';

const palette: Record<Tone, string> = {
  running: 'green',
  paused: 'yellow',
  stopped: 'gray',
  error: 'red',
  accent: 'cyan',
  muted: 'gray',
  match: 'yellow',
  ok: 'green',
  warn: 'yellow',
};

/** Colours for the sources of a merged log stream, in order. */
const sourcePalette = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'];

export const colorEnabled = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.NO_COLOR === undefined || env.NO_COLOR === '';

let enabled = colorEnabled();

/** Tests flip this instead of the environment. */
export function setColorEnabled(value: boolean): void {
  enabled = value;
}

export function color(tone: Tone): string | undefined {
  return enabled ? palette[tone] : undefined;
}

export function sourceColor(index: number): string | undefined {
  return enabled ? sourcePalette[index % sourcePalette.length] : undefined;
}

export function statusTone(status: ContainerStatus): Tone {
  switch (status) {
    case 'running':
      return 'running';
    case 'paused':
    case 'restarting':
      return 'paused';
    case 'dead':
      return 'error';
    default:
      return 'stopped';
  }
}
