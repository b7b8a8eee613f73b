/**
 * The one keymap: every dashboard command has an id, default keys, a description and the panes
 * where it works. The footer, the help overlay and the input handlers are all generated from
 * this table, and users remap keys by id in berth's config file (`"keys": {"container.stop": "S"}`).
 */
export type PaneId = 'containers' | 'logs' | 'images' | 'volumes' | 'stats' | 'inspect' | 'prune';

export type Scope = PaneId | 'global';

export interface KeyBinding {
  id: string;
  /** Key names as the input layer reports them: single characters, or `tab`, `enter`, `up`, `pageup`, `ctrl+c`… */
  keys: string[];
  description: string;
  scope: Scope;
  /** Shown in the footer (short label) when set; everything is in the help overlay. */
  footer?: string;
}

export const defaultKeymap: readonly KeyBinding[] = [
  { id: 'app.quit', keys: ['q', 'ctrl+c'], description: 'Quit berth', scope: 'global', footer: 'quit' },
  { id: 'app.help', keys: ['?'], description: 'Show every key', scope: 'global', footer: 'help' },
  { id: 'pane.next', keys: ['tab'], description: 'Next pane', scope: 'global' },
  { id: 'pane.previous', keys: ['shift+tab'], description: 'Previous pane', scope: 'global' },
  { id: 'pane.containers', keys: ['1'], description: 'Containers pane', scope: 'global' },
  { id: 'pane.logs', keys: ['2'], description: 'Logs pane', scope: 'global' },
  { id: 'pane.images', keys: ['3'], description: 'Images pane', scope: 'global' },
  { id: 'pane.volumes', keys: ['4'], description: 'Volumes pane', scope: 'global' },
  { id: 'pane.stats', keys: ['5'], description: 'Stats pane', scope: 'global' },
  { id: 'pane.inspect', keys: ['6'], description: 'Inspect pane', scope: 'global' },
  { id: 'pane.prune', keys: ['7'], description: 'Prune pane', scope: 'global' },
  { id: 'list.up', keys: ['up', 'k'], description: 'Move up', scope: 'global' },
  { id: 'list.down', keys: ['down', 'j'], description: 'Move down', scope: 'global' },
  {
    id: 'list.filter',
    keys: ['/'],
    description: 'Filter by name, image or status',
    scope: 'containers',
    footer: 'filter',
  },
  {
    id: 'container.toggle',
    keys: ['s'],
    description: 'Start or stop',
    scope: 'containers',
    footer: 'start/stop',
  },
  { id: 'container.restart', keys: ['r'], description: 'Restart', scope: 'containers' },
  { id: 'container.pause', keys: ['p'], description: 'Pause or unpause', scope: 'containers' },
  { id: 'container.kill', keys: ['K'], description: 'Kill (SIGKILL)', scope: 'containers' },
  {
    id: 'container.remove',
    keys: ['d'],
    description: 'Remove (asks first; force when running)',
    scope: 'containers',
    footer: 'remove',
  },
  {
    id: 'container.exec',
    keys: ['e'],
    description: 'Exec a shell in the container',
    scope: 'containers',
    footer: 'exec',
  },
  { id: 'container.attach', keys: ['a'], description: 'Attach to the container', scope: 'containers' },
  {
    id: 'container.logs',
    keys: ['enter', 'l'],
    description: 'Open logs',
    scope: 'containers',
    footer: 'logs',
  },
  { id: 'container.inspect', keys: ['i'], description: 'Inspect', scope: 'containers' },
  {
    id: 'container.copyId',
    keys: ['y'],
    description: 'Copy the id to the clipboard (OSC 52)',
    scope: 'containers',
  },
  { id: 'container.mark', keys: ['space'], description: 'Mark for a bulk action', scope: 'containers' },
  {
    id: 'container.showStopped',
    keys: ['h'],
    description: 'Hide or show stopped containers',
    scope: 'containers',
  },
  { id: 'container.sort', keys: ['o'], description: 'Sort by name, state, CPU, memory', scope: 'containers' },
  { id: 'logs.follow', keys: ['f'], description: 'Follow new output', scope: 'logs', footer: 'follow' },
  {
    id: 'logs.search',
    keys: ['/'],
    description: 'Search with a regular expression',
    scope: 'logs',
    footer: 'search',
  },
  { id: 'logs.next', keys: ['n'], description: 'Next match', scope: 'logs' },
  { id: 'logs.previous', keys: ['N'], description: 'Previous match', scope: 'logs' },
  {
    id: 'logs.filterMode',
    keys: ['F'],
    description: 'Keep only matching lines (with context)',
    scope: 'logs',
  },
  { id: 'logs.timestamps', keys: ['t'], description: 'Show or hide timestamps', scope: 'logs' },
  { id: 'logs.wrap', keys: ['w'], description: 'Wrap long lines', scope: 'logs' },
  { id: 'logs.since', keys: ['S'], description: 'Since: 1m, 10m, 1h, all', scope: 'logs' },
  { id: 'logs.tail', keys: ['T'], description: 'Tail: last 1000, 100, 10 000 or all lines', scope: 'logs' },
  { id: 'logs.save', keys: ['ctrl+s'], description: 'Save the shown lines to a file', scope: 'logs' },
  { id: 'logs.copy', keys: ['y'], description: 'Copy the visible lines (OSC 52)', scope: 'logs' },
  { id: 'logs.pageUp', keys: ['pageup'], description: 'Scroll up a page', scope: 'logs' },
  { id: 'logs.pageDown', keys: ['pagedown'], description: 'Scroll down a page', scope: 'logs' },
  { id: 'logs.top', keys: ['home', 'g'], description: 'Go to the first line', scope: 'logs' },
  { id: 'logs.bottom', keys: ['end', 'G'], description: 'Go to the last line and follow', scope: 'logs' },
  {
    id: 'image.remove',
    keys: ['d'],
    description: 'Remove image (asks first)',
    scope: 'images',
    footer: 'remove',
  },
  {
    id: 'volume.remove',
    keys: ['d'],
    description: 'Remove volume (asks first)',
    scope: 'volumes',
    footer: 'remove',
  },
  { id: 'prune.reload', keys: ['R'], description: 'List again what would be pruned', scope: 'prune' },
  {
    id: 'prune.toggle',
    keys: ['space'],
    description: 'Mark or unmark an item',
    scope: 'prune',
    footer: 'mark',
  },
  {
    id: 'prune.unused',
    keys: ['u'],
    description: 'Include unused images, not only dangling',
    scope: 'prune',
  },
  {
    id: 'prune.run',
    keys: ['x'],
    description: 'Prune the marked items (asks first)',
    scope: 'prune',
    footer: 'prune',
  },
];

export type KeyOverrides = Record<string, string | string[]>;

/** Applies the user's remapping by command id; unknown ids are reported so a typo is not silent. */
export function applyOverrides(
  keymap: readonly KeyBinding[],
  overrides: KeyOverrides = {},
): { keymap: KeyBinding[]; unknown: string[] } {
  const known = new Set(keymap.map((binding) => binding.id));
  const unknown = Object.keys(overrides).filter((id) => !known.has(id));
  return {
    keymap: keymap.map((binding) => {
      const override = overrides[binding.id];
      if (override === undefined) return { ...binding };
      return { ...binding, keys: Array.isArray(override) ? override : [override] };
    }),
    unknown,
  };
}

/** The command a key triggers in a pane: pane-scoped bindings win over global ones. */
export function commandFor(keymap: readonly KeyBinding[], key: string, pane: PaneId): string | undefined {
  const local = keymap.find((binding) => binding.scope === pane && binding.keys.includes(key));
  if (local) return local.id;
  return keymap.find((binding) => binding.scope === 'global' && binding.keys.includes(key))?.id;
}

/** Footer entries for the pane: its own short-labelled commands, then the global ones. */
export function footerFor(keymap: readonly KeyBinding[], pane: PaneId): { key: string; label: string }[] {
  return keymap
    .filter((binding) => binding.footer && (binding.scope === pane || binding.scope === 'global'))
    .sort((a, b) => Number(a.scope === 'global') - Number(b.scope === 'global'))
    .map((binding) => ({ key: binding.keys[0] ?? '', label: binding.footer ?? '' }));
}

/** Two bindings in the same scope (or a pane binding shadowing nothing) sharing a key is a bug. */
export function conflicts(keymap: readonly KeyBinding[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const binding of keymap) {
    for (const key of binding.keys) {
      const slot = `${binding.scope}:${key}`;
      const other = seen.get(slot);
      if (other) problems.push(`${key} is bound to both ${other} and ${binding.id} in ${binding.scope}`);
      else seen.set(slot, binding.id);
    }
  }
  return problems;
}
