/**
 * The dashboard shell: tab bar, the active pane, the status line and the footer, in a root box
 * one row shorter than the terminal (Ink 6 redraws the whole screen when output fills it). It
 * owns the global keys, the y/N question, the prompt and the shared container selection; the
 * panes own their keys and their views.
 */
import React, { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, useInput } from 'ink';
import type { ContainerSummary, DashboardEngine } from './dashboard-engine.js';
import { DashboardContext, type DashboardContextValue, type ShellServices } from './dashboard-context.js';
import { EventHub } from './hooks/event-hub.js';
import { useContainerSelection } from './hooks/use-container-selection.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { commandFor, type KeyBinding, type PaneId } from './keymap.js';
import { keyName } from './key-names.js';
import { appReducer, editText, initialAppState, isYes, paneOrder } from './state/app-state.js';
import { StatsHistory } from './state/stats-history.js';
import { clockMoves } from './state/format.js';
import { TabBar } from './components/tab-bar.js';
import { Footer } from './components/footer.js';
import { HelpOverlay } from './components/help-overlay.js';
import { StatusLine } from './components/status-line.js';
import { ContainersPane } from './panes/containers-pane.js';
import { LogsPane } from './panes/logs-pane.js';
import { ImagesPane } from './panes/images-pane.js';
import { VolumesPane } from './panes/volumes-pane.js';
import { StatsPane } from './panes/stats-pane.js';
import { InspectPane } from './panes/inspect-pane.js';
import { PrunePane } from './panes/prune-pane.js';

export interface AppProps {
  engine: DashboardEngine;
  keymap: readonly KeyBinding[];
  /** Shown in the status line at start (config problems). */
  warnings?: string[];
  onQuit: () => void;
  /** Runs argv on the real terminal (the dashboard is already suspended). */
  handOver: (argv: string[]) => Promise<number>;
  writeRaw: (text: string) => void;
  /** How often uptimes refresh; tests shorten nothing here, they only need the default. */
  clockMs?: number;
}

const panes: Record<PaneId, () => React.JSX.Element> = {
  containers: ContainersPane,
  logs: LogsPane,
  images: ImagesPane,
  volumes: VolumesPane,
  stats: StatsPane,
  inspect: InspectPane,
  prune: PrunePane,
};

export function App({ engine, keymap, warnings = [], onQuit, handOver, writeRaw, clockMs = 5000 }: AppProps) {
  const size = useTerminalSize();
  const [state, dispatch] = useReducer(appReducer, {
    ...initialAppState,
    status: warnings.length > 0 ? { text: warnings.join('; '), tone: 'error' as const } : undefined,
  });
  const hub = useMemo(() => new EventHub(engine), [engine]);
  const stats = useMemo(() => new StatsHistory(), []);
  const [statsRound, setStatsRound] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    hub.start();
    return () => hub.stop();
  }, [hub]);

  const containersRef = useRef<readonly ContainerSummary[]>([]);
  useEffect(() => {
    // Uptimes ("Up 3 minutes") move on without any event: check every few seconds, redraw only
    // when a STATUS text would read differently (setNow with the same value renders nothing).
    const timer = setInterval(() => {
      const next = Date.now();
      setNow((current) => (clockMoves(containersRef.current, current, next) ? next : current));
    }, clockMs);
    return () => clearInterval(timer);
  }, [clockMs]);

  const selection = useContainerSelection(engine, hub, stats, statsRound, now);
  containersRef.current = selection.containers;

  useEffect(() => {
    stats.retain(new Set(selection.containers.map((container) => container.id)));
  }, [stats, selection.containers]);

  const shell: ShellServices = useMemo(
    () => ({
      run: (busy, done, action) => {
        dispatch({ type: 'status', status: { text: busy, tone: 'busy' } });
        action().then(
          (result) =>
            dispatch({
              type: 'status',
              status: typeof done === 'string' ? { text: done, tone: 'ok' } : done(result),
            }),
          (error: unknown) =>
            dispatch({
              type: 'status',
              status: { text: error instanceof Error ? error.message : String(error), tone: 'error' },
            }),
        );
      },
      info: (text, tone = 'info') => dispatch({ type: 'status', status: { text, tone } }),
      ask: (question, onYes) => dispatch({ type: 'confirm', confirm: { question, onYes } }),
      prompt: (prompt) => dispatch({ type: 'prompt', prompt: { ...prompt, text: prompt.text ?? '' } }),
      handOver: async (argv) => {
        dispatch({ type: 'suspend', suspended: true });
        // Let Ink draw the empty frame and release stdin before the shell takes the terminal.
        await new Promise((resolve) => setTimeout(resolve, 150));
        try {
          return await handOver(argv);
        } finally {
          dispatch({ type: 'suspend', suspended: false });
        }
      },
      writeRaw,
      switchPane: (pane) => dispatch({ type: 'pane', pane }),
    }),
    [handOver, writeRaw],
  );

  useInput(
    (input, key) => {
      const name = keyName(input, key);
      const current = stateRef.current;
      if (current.confirm) {
        dispatch({ type: 'confirm', confirm: undefined });
        if (isYes(input)) current.confirm.onYes();
        else dispatch({ type: 'status', status: { text: 'cancelled', tone: 'info' } });
        return;
      }
      if (current.prompt) {
        const prompt = current.prompt;
        if (name === 'enter') {
          dispatch({ type: 'prompt', prompt: undefined });
          prompt.onSubmit(prompt.text);
        } else if (name === 'escape' || name === 'ctrl+c') {
          dispatch({ type: 'prompt', prompt: undefined });
          prompt.onCancel?.();
        } else {
          const text = editText(prompt.text, name, input);
          if (text !== undefined) {
            dispatch({ type: 'promptText', text });
            prompt.onChange?.(text);
          }
        }
        return;
      }
      if (current.help) {
        dispatch({ type: 'help', open: false });
        return;
      }
      const command = commandFor(keymap, name, current.pane);
      if (command === 'app.quit') return onQuit();
      if (command === 'app.help') return dispatch({ type: 'help', open: true });
      if (command === 'pane.next') return dispatch({ type: 'cyclePane', step: 1 });
      if (command === 'pane.previous') return dispatch({ type: 'cyclePane', step: -1 });
      const pane = paneOrder.find((id) => command === `pane.${id}`);
      if (pane) return dispatch({ type: 'pane', pane });
      if (name === 'escape') dispatch({ type: 'status', status: undefined });
    },
    { isActive: !state.suspended },
  );

  const modal = state.confirm !== undefined || state.prompt !== undefined || state.help;
  const paneSize = { columns: size.columns, rows: Math.max(3, size.rows - 1 - 3) };
  const context: DashboardContextValue = {
    engine,
    keymap,
    hub,
    selection,
    stats,
    statsUpdated: () => setStatsRound((value) => value + 1),
    now,
    shell,
    size: paneSize,
    activePane: modal || state.suspended ? undefined : state.pane,
  };

  if (state.suspended) return <Box />;
  const Pane = panes[state.pane];
  return (
    <DashboardContext.Provider value={context}>
      <Box flexDirection="column" width={size.columns} height={size.rows - 1} overflow="hidden">
        <TabBar pane={state.pane} keymap={keymap} columns={size.columns} />
        <Box height={paneSize.rows} flexDirection="column" overflow="hidden">
          {state.help ? (
            <HelpOverlay keymap={keymap} height={paneSize.rows} columns={size.columns} />
          ) : (
            <Pane />
          )}
        </Box>
        <StatusLine state={state} columns={size.columns} />
        <Footer keymap={keymap} pane={state.pane} columns={size.columns} />
      </Box>
    </DashboardContext.Provider>
  );
}
