/** Stats: CPU and memory sparklines of the selected container, sampled only while shown. */
import React from 'react';
import { Box, Text } from 'ink';
import { useDashboard } from '../dashboard-context.js';
import { usePaneKeys } from '../hooks/use-pane-keys.js';
import { useStatsSampler } from '../hooks/use-stats-sampler.js';
import { humanSize, percent } from '../state/format.js';
import { sparkline } from '../state/stats-history.js';
import { color } from '../theme.js';

export function StatsPane() {
  const { engine, keymap, selection, stats, statsUpdated, size, activePane } = useDashboard();
  const selected = selection.selected;
  const running = selected?.status === 'running';
  useStatsSampler(engine, stats, running && selected ? [selected.id] : [], statsUpdated, 1000);
  usePaneKeys(keymap, 'stats', activePane === 'stats', (command) => {
    if (command === 'list.up') selection.move(-1);
    if (command === 'list.down') selection.move(1);
  });
  const width = Math.max(10, size.columns - 2);
  const series = selected ? stats.series(selected.id) : [];
  const latest = series.at(-1);
  const cpu = series.map((point) => point.cpuPercent);
  const mem = series.map((point) => point.memoryBytes);
  // Scaled to what the container uses (at least 5%), so a quiet container's chart is not flat.
  const cpuScale = Math.ceil(Math.max(5, ...cpu) * 1.2);
  const chartRows = Math.max(1, Math.floor((size.rows - 6) / 2));
  const chart = (values: number[], max: number | undefined, tone: 'running' | 'accent') =>
    Array.from({ length: chartRows }, (_, row) => {
      // Stacked rows: each row shows the slice of the range it covers, for a taller chart.
      const top = max ?? Math.max(1e-9, ...values);
      const band = top / chartRows;
      const low = band * (chartRows - row - 1);
      const line = sparkline(
        values.map((value) => Math.max(0, Math.min(band, value - low))),
        width,
        band,
      );
      return (
        <Text key={row} color={color(tone)}>
          {line.replaceAll('▁', row === chartRows - 1 ? '▁' : ' ')}
        </Text>
      );
    });
  return (
    <Box flexDirection="column" height={size.rows} width={size.columns} overflow="hidden">
      <Text dimColor wrap="truncate-end">
        {selected
          ? `Stats: ${selected.name} (${selected.status}) · ↑/↓ choose another container`
          : 'no container selected'}
      </Text>
      {!running ? (
        <Text dimColor>{selected ? `${selected.name} is not running: no stats` : ''}</Text>
      ) : (
        <>
          <Text
            bold
          >{`CPU ${percent(latest?.cpuPercent) || '…'}  (chart 0–${cpuScale.toFixed(0)}%, 100% = one core)`}</Text>
          {chart(cpu, cpuScale, 'running')}
          <Text
            bold
          >{`MEM ${latest ? `${humanSize(latest.memoryBytes)} / ${humanSize(latest.memoryLimit)}` : '…'}`}</Text>
          {chart(mem, undefined, 'accent')}
        </>
      )}
    </Box>
  );
}
