/**
 * The dashboard shell's state, free of Ink: which pane is open, the help overlay, the status
 * line, the y/N question and the one-line prompt (filter, search, save). Panes ask for a
 * question or a prompt with a callback; the shell's input handler answers it.
 */
import type { PaneId } from '../keymap.js';

export const paneOrder: readonly PaneId[] = [
  'containers',
  'logs',
  'images',
  'volumes',
  'stats',
  'inspect',
  'prune',
];

export const paneTitles: Record<PaneId, string> = {
  containers: 'Containers',
  logs: 'Logs',
  images: 'Images',
  volumes: 'Volumes',
  stats: 'Stats',
  inspect: 'Inspect',
  prune: 'Prune',
};

export type StatusTone = 'info' | 'busy' | 'ok' | 'error';

export interface Status {
  text: string;
  tone: StatusTone;
}

export interface Confirm {
  /** Says exactly what will happen, e.g. "Remove running container web (force)?" */
  question: string;
  onYes: () => void;
}

export interface Prompt {
  label: string;
  text: string;
  onSubmit: (text: string) => void;
  /** Called on every edit (live filtering). */
  onChange?: (text: string) => void;
  onCancel?: () => void;
}

export interface AppState {
  pane: PaneId;
  help: boolean;
  status?: Status;
  confirm?: Confirm;
  prompt?: Prompt;
  /** True while a shell owns the terminal (exec/attach): nothing renders, no input is read. */
  suspended: boolean;
}

export type AppAction =
  | { type: 'pane'; pane: PaneId }
  | { type: 'cyclePane'; step: 1 | -1 }
  | { type: 'help'; open: boolean }
  | { type: 'status'; status: Status | undefined }
  | { type: 'confirm'; confirm: Confirm | undefined }
  | { type: 'prompt'; prompt: Prompt | undefined }
  | { type: 'promptText'; text: string }
  | { type: 'suspend'; suspended: boolean };

export const initialAppState: AppState = { pane: 'containers', help: false, suspended: false };

export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'pane':
      return { ...state, pane: action.pane, help: false };
    case 'cyclePane': {
      const index = paneOrder.indexOf(state.pane);
      const next = paneOrder[(index + action.step + paneOrder.length) % paneOrder.length] ?? 'containers';
      return { ...state, pane: next, help: false };
    }
    case 'help':
      return { ...state, help: action.open };
    case 'status':
      return { ...state, status: action.status };
    case 'confirm':
      return { ...state, confirm: action.confirm };
    case 'prompt':
      return { ...state, prompt: action.prompt };
    case 'promptText':
      return state.prompt ? { ...state, prompt: { ...state.prompt, text: action.text } } : state;
    case 'suspend':
      return { ...state, suspended: action.suspended };
  }
}

/** One keystroke applied to a prompt's text; undefined when the key is not an edit. */
export function editText(text: string, key: string, input: string): string | undefined {
  if (key === 'backspace') return text.slice(0, -1);
  if (key === 'ctrl+u') return '';
  if (key === 'space') return text + ' ';
  // Printable input only (a paste may bring several characters at once).
  if (input && !key.startsWith('ctrl+') && key === input && !/[\u0000-\u001f\u007f]/.test(input))
    return text + input;
  return undefined;
}

/** A y/N answer: only y or Y says yes; anything else is no. */
export function isYes(input: string): boolean {
  return input === 'y' || input === 'Y';
}
