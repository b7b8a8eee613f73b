/**
 * The Containers pane's list logic, free of Ink: filter by name/image/status, hide stopped,
 * sort (running first, then the chosen key), selection that follows the same container when
 * rows move, and marks for bulk actions.
 */
export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  status: 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';
  /** "Up 3 minutes" / "Exited (0) 2 hours ago", docker's STATUS column. */
  statusText: string;
  cpuPercent?: number;
  memoryBytes?: number;
  ports: string;
  createdMs: number;
}

export type SortKey = 'name' | 'state' | 'cpu' | 'memory';
export const sortKeys: readonly SortKey[] = ['name', 'state', 'cpu', 'memory'];

export interface ListView {
  filter: string;
  showStopped: boolean;
  sort: SortKey;
}

const stateRank: Record<ContainerRow['status'], number> = {
  running: 0,
  restarting: 1,
  paused: 2,
  created: 3,
  removing: 4,
  exited: 5,
  dead: 6,
};

export const isActive = (row: ContainerRow): boolean =>
  row.status === 'running' || row.status === 'paused' || row.status === 'restarting';

export function visibleRows(rows: readonly ContainerRow[], view: ListView): ContainerRow[] {
  const needle = view.filter.trim().toLowerCase();
  const kept = rows.filter((row) => {
    if (!view.showStopped && !isActive(row)) return false;
    if (!needle) return true;
    return [row.name, row.image, row.status, row.id.slice(0, 12)].some((field) =>
      field.toLowerCase().includes(needle),
    );
  });
  const compare = (a: ContainerRow, b: ContainerRow): number => {
    switch (view.sort) {
      case 'cpu':
        return (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1);
      case 'memory':
        return (b.memoryBytes ?? -1) - (a.memoryBytes ?? -1);
      case 'state':
        return stateRank[a.status] - stateRank[b.status] || b.createdMs - a.createdMs;
      case 'name':
        return a.name.localeCompare(b.name);
    }
  };
  // Running first always (the issue asks for it), then the chosen order, then name for stability.
  return kept.sort(
    (a, b) => Number(!isActive(a)) - Number(!isActive(b)) || compare(a, b) || a.name.localeCompare(b.name),
  );
}

/** Keeps the selection on the same container id when the list changes; falls back to a nearby row. */
export function reselect(
  rows: readonly ContainerRow[],
  selectedId: string | undefined,
  previousIndex: number,
): number {
  if (rows.length === 0) return 0;
  const index = selectedId ? rows.findIndex((row) => row.id === selectedId) : -1;
  if (index >= 0) return index;
  return Math.min(Math.max(previousIndex, 0), rows.length - 1);
}

/** The rows a list of `height` shows so that `selected` is visible (windowed rendering). */
export function windowFor(total: number, selected: number, height: number, top: number): number {
  if (height <= 0) return 0;
  if (selected < top) return selected;
  if (selected >= top + height) return selected - height + 1;
  return Math.max(0, Math.min(top, Math.max(0, total - height)));
}

export function toggleMark(marks: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(marks);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}
