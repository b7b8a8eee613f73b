/**
 * The Prune pane's plan, free of Ink: what would go (marked at first, except what the preview
 * asks to leave unmarked, such as named volumes), marks, the cursor, and the total of what is
 * marked. The engine's preview never lists running or in-use things.
 */
import type { PruneItem, PruneKind } from '../dashboard-engine.js';

export interface PrunePlan {
  items: PruneItem[];
  /** Keys (`kind:id`) of marked items. */
  marked: Set<string>;
  cursor: number;
}

export const itemKey = (item: PruneItem): string => `${item.kind}:${item.id}`;

const kindOrder: PruneKind[] = ['container', 'image', 'volume', 'build-cache'];

export function planFrom(items: readonly PruneItem[]): PrunePlan {
  const sorted = [...items].sort(
    (a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || b.size - a.size,
  );
  return {
    items: sorted,
    marked: new Set(sorted.filter((item) => !item.unmarkedAtFirst).map(itemKey)),
    cursor: 0,
  };
}

export function toggleAt(plan: PrunePlan, index: number): PrunePlan {
  const item = plan.items[index];
  if (!item) return plan;
  const marked = new Set(plan.marked);
  const key = itemKey(item);
  if (marked.has(key)) marked.delete(key);
  else marked.add(key);
  return { ...plan, marked };
}

export function moveCursor(plan: PrunePlan, delta: number): PrunePlan {
  const cursor = Math.max(0, Math.min(plan.items.length - 1, plan.cursor + delta));
  return { ...plan, cursor };
}

export function markedItems(plan: PrunePlan): PruneItem[] {
  return plan.items.filter((item) => plan.marked.has(itemKey(item)));
}

export function totalSize(items: readonly PruneItem[]): number {
  return items.reduce((sum, item) => sum + item.size, 0);
}

const kindNames: Record<Exclude<PruneKind, 'build-cache'>, [string, string]> = {
  container: ['stopped container', 'stopped containers'],
  image: ['image', 'images'],
  volume: ['volume', 'volumes'],
};

/** "2 stopped containers, 1 image, the build cache" — the words of the confirmation question. */
export function describeItems(items: readonly PruneItem[]): string {
  const parts: string[] = [];
  for (const kind of kindOrder) {
    const count = items.filter((item) => item.kind === kind).length;
    if (count === 0) continue;
    // The build cache is pruned as a whole: one item, however many entries it holds.
    if (kind === 'build-cache') parts.push('the build cache');
    else parts.push(`${count} ${kindNames[kind][count === 1 ? 0 : 1]}`);
  }
  return parts.join(', ') || 'nothing';
}
