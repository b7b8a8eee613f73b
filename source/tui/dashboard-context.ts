/**
 * What every pane reads from context: the engine adapter, the keymap, the event hub, the shared
 * container selection, and the shell's services (status line, y/N question, prompt, handing the
 * terminal to a shell). Panes hold no engine logic of their own beyond calling these.
 */
import { createContext, useContext } from 'react';
import type { DashboardEngine } from './dashboard-engine.js';
import type { KeyBinding, PaneId } from './keymap.js';
import type { EventHub } from './hooks/event-hub.js';
import type { ContainerSelection } from './hooks/use-container-selection.js';
import type { StatsHistory } from './state/stats-history.js';
import type { Prompt } from './state/app-state.js';

export interface ShellServices {
  /** Runs an engine call with "busy → done/failed" in the status line; never blocks input. */
  run: <T>(
    busy: string,
    done: string | ((result: T) => { text: string; tone: 'ok' | 'error' }),
    action: () => Promise<T>,
  ) => void;
  info: (text: string, tone?: 'info' | 'ok' | 'error') => void;
  ask: (question: string, onYes: () => void) => void;
  prompt: (prompt: Omit<Prompt, 'text'> & { text?: string }) => void;
  /** Suspends the dashboard and runs argv on the terminal under a pty; resolves with its exit code. */
  handOver: (argv: string[]) => Promise<number>;
  /** Writes an escape sequence straight to the terminal (OSC 52). */
  writeRaw: (text: string) => void;
  switchPane: (pane: PaneId) => void;
}

export interface DashboardContextValue {
  engine: DashboardEngine;
  keymap: readonly KeyBinding[];
  hub: EventHub;
  selection: ContainerSelection;
  stats: StatsHistory;
  /** Call after adding samples to `stats`, so the columns and sparklines redraw. */
  statsUpdated: () => void;
  /** Wall clock for uptimes; ticks every few seconds. */
  now: number;
  shell: ShellServices;
  /** Rows and columns the active pane may draw in. */
  size: { columns: number; rows: number };
  /** Whether the pane's keys are live (it is shown and no question, prompt or help is open). */
  activePane: PaneId | undefined;
}

export const DashboardContext = createContext<DashboardContextValue | undefined>(undefined);

export function useDashboard(): DashboardContextValue {
  const value = useContext(DashboardContext);
  if (!value) throw new Error('useDashboard outside the dashboard');
  return value;
}
