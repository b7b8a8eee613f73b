import test from 'ava';
import {
  reselect,
  toggleMark,
  visibleRows,
  windowFor,
  type ContainerRow,
} from '../../../source/tui/state/container-list.js';

const row = (
  name: string,
  status: ContainerRow['status'],
  extra: Partial<ContainerRow> = {},
): ContainerRow => ({
  id: `${name}`.padEnd(64, '0'),
  name,
  image: 'busybox:latest',
  status,
  statusText: status,
  ports: '',
  createdMs: 0,
  ...extra,
});

const rows = [
  row('web', 'exited'),
  row('db', 'running', { cpuPercent: 5, memoryBytes: 10 }),
  row('cache', 'running', { cpuPercent: 50, memoryBytes: 5 }),
  row('job', 'paused', { image: 'alpine:3' }),
];

test('running containers come first, stopped ones can be hidden', (t) => {
  const names = (list: ContainerRow[]) => list.map((entry) => entry.name);
  t.deepEqual(names(visibleRows(rows, { filter: '', showStopped: true, sort: 'name' })), [
    'cache',
    'db',
    'job',
    'web',
  ]);
  t.deepEqual(names(visibleRows(rows, { filter: '', showStopped: false, sort: 'name' })), [
    'cache',
    'db',
    'job',
  ]);
  t.deepEqual(names(visibleRows(rows, { filter: '', showStopped: true, sort: 'cpu' })), [
    'cache',
    'db',
    'job',
    'web',
  ]);
  t.deepEqual(names(visibleRows(rows, { filter: '', showStopped: true, sort: 'memory' })), [
    'db',
    'cache',
    'job',
    'web',
  ]);
});

test('the filter matches name, image and status', (t) => {
  t.deepEqual(
    visibleRows(rows, { filter: 'alpine', showStopped: true, sort: 'name' }).map((entry) => entry.name),
    ['job'],
  );
  t.deepEqual(
    visibleRows(rows, { filter: 'EXITED', showStopped: true, sort: 'name' }).map((entry) => entry.name),
    ['web'],
  );
});

test('selection follows the same container and windows keep it visible', (t) => {
  const list = visibleRows(rows, { filter: '', showStopped: true, sort: 'name' });
  t.is(reselect(list, rows[0]?.id, 0), 3);
  t.is(reselect(list, 'gone', 9), 3);
  t.is(reselect([], 'gone', 2), 0);
  t.is(windowFor(100, 50, 10, 0), 41);
  t.is(windowFor(100, 5, 10, 20), 5);
  t.is(windowFor(100, 25, 10, 20), 20);
});

test('marks toggle without mutating', (t) => {
  const first = toggleMark(new Set(), 'a');
  const second = toggleMark(first, 'a');
  t.true(first.has('a'));
  t.false(second.has('a'));
});
