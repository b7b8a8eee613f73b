/**
 * The container list shared by the panes: rows from the engine (reloaded on container events),
 * the list view (filter, hide stopped, sort), the selected container and the marks.
 */
import { useMemo, useRef, useState } from 'react';
import type { ContainerSummary, DashboardEngine } from '../dashboard-engine.js';
import {
  visibleRows,
  reselect,
  toggleMark,
  sortKeys,
  type ListView,
  type ContainerRow,
} from '../state/container-list.js';
import { statusText } from '../state/format.js';
import type { StatsHistory } from '../state/stats-history.js';
import type { EventHub } from './event-hub.js';
import { useEngineResource } from './use-engine-resource.js';

export interface ContainerSelection {
  containers: ContainerSummary[];
  rows: ContainerRow[];
  view: ListView;
  selectedIndex: number;
  selected?: ContainerSummary;
  marks: ReadonlySet<string>;
  error?: string;
  loading: boolean;
  reload: () => void;
  move: (delta: number) => void;
  setFilter: (filter: string) => void;
  toggleStopped: () => void;
  cycleSort: () => void;
  toggleMarkSelected: () => void;
  clearMarks: () => void;
  byId: (id: string) => ContainerSummary | undefined;
}

export function useContainerSelection(
  engine: DashboardEngine,
  hub: EventHub,
  stats: StatsHistory,
  statsRound: number,
  now: number,
): ContainerSelection {
  const resource = useEngineResource(() => engine.listContainers(), hub, ['container']);
  const [view, setView] = useState<ListView>({ filter: '', showStopped: true, sort: 'name' });
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [marks, setMarks] = useState<ReadonlySet<string>>(new Set());
  const lastIndex = useRef(0);
  const containers = useMemo(() => resource.data ?? [], [resource.data]);

  const rows = useMemo(() => {
    const all: ContainerRow[] = containers.map((container) => {
      const point = container.status === 'running' ? stats.latest(container.id) : undefined;
      return {
        id: container.id,
        name: container.name,
        image: container.image,
        status: container.status,
        statusText: statusText(container, now),
        cpuPercent: point?.cpuPercent,
        memoryBytes: point?.memoryBytes,
        ports: container.ports,
        createdMs: container.createdMs,
      };
    });
    return visibleRows(all, view);
    // statsRound: new samples change the CPU and memory columns.
  }, [containers, view, stats, statsRound, now]);

  const selectedIndex = reselect(rows, selectedId, lastIndex.current);
  lastIndex.current = selectedIndex;
  const selectedRow = rows[selectedIndex];
  const byId = (id: string): ContainerSummary | undefined =>
    containers.find((container) => container.id === id);

  return {
    containers,
    rows,
    view,
    selectedIndex,
    selected: selectedRow ? byId(selectedRow.id) : undefined,
    marks,
    error: resource.error,
    loading: resource.loading,
    reload: resource.reload,
    move: (delta) => {
      const next = rows[Math.max(0, Math.min(rows.length - 1, selectedIndex + delta))];
      if (next) setSelectedId(next.id);
    },
    setFilter: (filter) => setView((current) => ({ ...current, filter })),
    toggleStopped: () => setView((current) => ({ ...current, showStopped: !current.showStopped })),
    cycleSort: () =>
      setView((current) => ({
        ...current,
        sort: sortKeys[(sortKeys.indexOf(current.sort) + 1) % sortKeys.length] ?? 'name',
      })),
    toggleMarkSelected: () => {
      if (selectedRow) setMarks((current) => toggleMark(current, selectedRow.id));
    },
    clearMarks: () => setMarks(new Set()),
    byId,
  };
}
