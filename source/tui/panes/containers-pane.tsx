/**
 * Containers: name, image, coloured state, uptime or exit code, CPU %, memory, ports; running
 * first, stopped dim; only the rows that fit are drawn, and only those are sampled for stats.
 */
import React, { useRef } from 'react';
import { Box, Text } from 'ink';
import { useDashboard } from '../dashboard-context.js';
import { usePaneKeys } from '../hooks/use-pane-keys.js';
import { useStatsSampler } from '../hooks/use-stats-sampler.js';
import { isActive, windowFor, type ContainerRow } from '../state/container-list.js';
import { fit, memory, percent } from '../state/format.js';
import type { StatsPoint } from '../state/stats-history.js';
import { color, statusTone } from '../theme.js';
import { containerCommand } from './container-actions.js';

/**
 * How often CPU and memory are read: the selected row every 2 s; the other visible running rows
 * every 2 s too, but no more than ten containers a second (a screen of forty rows: every 4 s),
 * and those whose figures stay the same every fourth round only (see StatsSchedule). Each
 * reading is a handful of cgroup files; at one round per 2 s for forty rows an idle dashboard
 * over fifty containers spent 3-6 % of a core on them.
 */
const STATS_INTERVAL_MS = 2000;
const STATS_PER_SECOND = 10;

const statsText = (point: StatsPoint | undefined): string =>
  `${percent(point?.cpuPercent)} ${memory(point?.memoryBytes)}`;

const BULK = new Set([
  'container.toggle',
  'container.restart',
  'container.pause',
  'container.kill',
  'container.remove',
]);

export function columnWidths(columns: number): {
  name: number;
  image: number;
  status: number;
  cpu: number;
  mem: number;
  ports: number;
} {
  const cpu = 7;
  const mem = 9;
  const rest = Math.max(20, columns - 2 - cpu - mem);
  const name = Math.floor(rest * 0.24);
  const image = Math.floor(rest * 0.24);
  const status = Math.floor(rest * 0.3);
  return { name, image, status, cpu, mem, ports: Math.max(0, rest - name - image - status) };
}

function Row({
  row,
  selected,
  marked,
  columns,
}: {
  row: ContainerRow;
  selected: boolean;
  marked: boolean;
  columns: number;
}) {
  const width = columnWidths(columns);
  const stopped = !isActive(row);
  return (
    <Text inverse={selected} dimColor={stopped && !selected} wrap="truncate-end">
      <Text color={color('accent')}>{marked ? '● ' : '  '}</Text>
      {fit(row.name, width.name)}
      {fit(row.image, width.image)}
      <Text color={color(statusTone(row.status))}>{fit(row.statusText, width.status)}</Text>
      {fit(percent(row.cpuPercent), width.cpu)}
      {fit(memory(row.memoryBytes), width.mem)}
      {fit(row.ports, width.ports)}
    </Text>
  );
}

export function ContainersPane() {
  const { engine, keymap, selection, shell, size, activePane, stats, statsUpdated } = useDashboard();
  const top = useRef(0);
  const height = Math.max(1, size.rows - 2);
  const first = windowFor(selection.rows.length, selection.selectedIndex, height, top.current);
  top.current = first;
  const shown = selection.rows.slice(first, first + height);
  // The selected row is also in the visible set on purpose: leaving it out would change that set,
  // and restart its round, on every cursor move.
  const visible = shown.filter((row) => row.status === 'running').map((row) => row.id);
  const selected = selection.selected?.status === 'running' ? [selection.selected.id] : [];
  useStatsSampler(engine, stats, selected, statsUpdated, STATS_INTERVAL_MS, statsText);
  useStatsSampler(
    engine,
    stats,
    visible,
    statsUpdated,
    Math.max(STATS_INTERVAL_MS, (visible.length * 1000) / STATS_PER_SECOND),
    statsText,
  );

  usePaneKeys(keymap, 'containers', activePane === 'containers', (command) => {
    switch (command) {
      case 'list.up':
        return selection.move(-1);
      case 'list.down':
        return selection.move(1);
      case 'list.filter':
        return shell.prompt({
          label: 'filter: ',
          text: selection.view.filter,
          onChange: selection.setFilter,
          onSubmit: selection.setFilter,
          onCancel: () => selection.setFilter(''),
        });
      case 'container.mark':
        selection.toggleMarkSelected();
        return selection.move(1);
      case 'container.showStopped':
        selection.toggleStopped();
        return shell.info(
          selection.view.showStopped ? 'hiding stopped containers' : 'showing stopped containers',
        );
      case 'container.sort':
        return selection.cycleSort();
    }
    const marked = selection.containers.filter((container) => selection.marks.has(container.id));
    const targets =
      BULK.has(command) && marked.length > 0 ? marked : selection.selected ? [selection.selected] : [];
    containerCommand(command, targets, engine, shell);
  });

  const width = columnWidths(size.columns);
  const view = selection.view;
  const running = selection.containers.filter((container) => container.status === 'running').length;
  const summary = [
    `${running} running, ${selection.containers.length - running} other`,
    `sort: ${view.sort}`,
    view.filter ? `filter: ${view.filter}` : '',
    view.showStopped ? '' : 'stopped hidden',
    selection.marks.size > 0 ? `${selection.marks.size} marked` : '',
  ].filter(Boolean);
  return (
    <Box flexDirection="column" height={size.rows} width={size.columns} overflow="hidden">
      <Text dimColor wrap="truncate-end">
        {summary.join(' · ')}
      </Text>
      <Text bold wrap="truncate-end">
        {'  '}
        {fit('NAME', width.name)}
        {fit('IMAGE', width.image)}
        {fit('STATUS', width.status)}
        {fit('CPU %', width.cpu)}
        {fit('MEM', width.mem)}
        {fit('PORTS', width.ports)}
      </Text>
      {selection.error && !selection.containers.length ? (
        <Text color={color('error')}>{selection.error}</Text>
      ) : shown.length === 0 ? (
        <Text dimColor>
          {selection.loading
            ? 'loading…'
            : view.filter
              ? `no container matches "${view.filter}"`
              : view.showStopped
                ? 'no containers yet — `berth run -d …` makes one'
                : 'no running containers (h shows stopped ones)'}
        </Text>
      ) : (
        shown.map((row, index) => (
          <Row
            key={row.id}
            row={row}
            selected={first + index === selection.selectedIndex}
            marked={selection.marks.has(row.id)}
            columns={size.columns}
          />
        ))
      )}
    </Box>
  );
}
