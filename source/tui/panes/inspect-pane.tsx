/** Inspect: the selected container's config, env, mounts, ports and state, scrollable. */
import React, { useCallback, useState } from 'react';
import { Box, Text } from 'ink';
import { useDashboard } from '../dashboard-context.js';
import { useEngineResource } from '../hooks/use-engine-resource.js';
import { usePaneKeys } from '../hooks/use-pane-keys.js';
import { fit } from '../state/format.js';
import { color } from '../theme.js';

export function InspectPane() {
  const { engine, keymap, hub, selection, size, activePane } = useDashboard();
  const id = selection.selected?.id;
  const load = useCallback(async () => (id ? engine.inspect(id) : []), [engine, id]);
  const resource = useEngineResource(load, hub, ['container'], { enabled: id !== undefined });
  const [scroll, setScroll] = useState(0);
  const lines: { text: string; heading: boolean }[] = [];
  for (const section of resource.data ?? []) {
    lines.push({ text: section.title, heading: true });
    if (section.rows.length === 0) lines.push({ text: '  (none)', heading: false });
    for (const [key, value] of section.rows)
      lines.push({ text: `  ${fit(key, 16)} ${value}`, heading: false });
  }
  const height = Math.max(1, size.rows - 1);
  const maxScroll = Math.max(0, lines.length - height);
  usePaneKeys(keymap, 'inspect', activePane === 'inspect', (command) => {
    if (command === 'list.up') setScroll((value) => Math.max(0, value - 1));
    if (command === 'list.down') setScroll((value) => Math.min(maxScroll, value + 1));
  });
  const start = Math.min(scroll, maxScroll);
  return (
    <Box flexDirection="column" height={size.rows} width={size.columns} overflow="hidden">
      <Text dimColor>
        {selection.selected ? `Inspect: ${selection.selected.name}` : 'no container selected'}
      </Text>
      {resource.error ? <Text color={color('error')}>{resource.error}</Text> : null}
      {lines.slice(start, start + height).map((line, index) => (
        <Text
          key={index}
          bold={line.heading}
          color={line.heading ? color('accent') : undefined}
          wrap="truncate-end"
        >
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
