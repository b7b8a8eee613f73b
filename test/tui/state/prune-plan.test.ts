import test from 'ava';
import {
  describeItems,
  markedItems,
  planFrom,
  toggleAt,
  totalSize,
} from '../../../source/tui/state/prune-plan.js';
import type { PruneItem } from '../../../source/tui/dashboard-engine.js';

const items: PruneItem[] = [
  { kind: 'image', id: 'sha256:a', label: '<none> a', size: 5000 },
  { kind: 'container', id: 'c1', label: 'old', size: 300 },
  { kind: 'container', id: 'c2', label: 'older', size: 700 },
];

test('everything starts marked, containers first, largest first', (t) => {
  const plan = planFrom(items);
  t.deepEqual(
    plan.items.map((item) => item.id),
    ['c2', 'c1', 'sha256:a'],
  );
  t.is(markedItems(plan).length, 3);
  t.is(totalSize(markedItems(plan)), 6000);
});

test('unmarking changes the total and the words of the question', (t) => {
  const plan = toggleAt(planFrom(items), 2);
  t.is(totalSize(markedItems(plan)), 1000);
  t.is(describeItems(markedItems(plan)), '2 stopped containers');
  t.is(describeItems(markedItems(toggleAt(plan, 2))), '2 stopped containers, 1 image');
  t.is(describeItems([]), 'nothing');
});

test('named volumes start unmarked; the build cache is one item named as a whole', (t) => {
  const plan = planFrom([
    { kind: 'build-cache', id: 'build-cache', label: 'build cache, 3 entries', size: 100 },
    { kind: 'volume', id: 'data', label: 'data (named)', size: 900, unmarkedAtFirst: true },
    { kind: 'volume', id: 'f00d', label: 'f00d', size: 50 },
  ]);
  t.deepEqual(
    plan.items.map((item) => item.id),
    ['data', 'f00d', 'build-cache'],
  );
  t.is(describeItems(markedItems(plan)), '1 volume, the build cache');
  t.is(totalSize(markedItems(toggleAt(plan, 0))), 1050);
});
