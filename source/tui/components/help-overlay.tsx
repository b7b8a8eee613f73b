/** `?`: every key of every pane, generated from the keymap (so remapped keys show as remapped). */
import React from 'react';
import { Box, Text } from 'ink';
import type { KeyBinding, Scope } from '../keymap.js';
import { keyLabel } from '../key-names.js';
import { paneOrder, paneTitles } from '../state/app-state.js';
import { color } from '../theme.js';
import { fit } from '../state/format.js';

export function helpLines(
  keymap: readonly KeyBinding[],
): { heading?: string; keys?: string; description?: string }[] {
  const scopes: Scope[] = ['global', ...paneOrder];
  const lines: { heading?: string; keys?: string; description?: string }[] = [];
  for (const scope of scopes) {
    const bindings = keymap.filter((binding) => binding.scope === scope);
    if (bindings.length === 0) continue;
    lines.push({ heading: scope === 'global' ? 'Everywhere' : paneTitles[scope] });
    for (const binding of bindings) {
      lines.push({ keys: binding.keys.map(keyLabel).join(' '), description: binding.description });
    }
  }
  return lines;
}

export function HelpOverlay({
  keymap,
  height,
  columns,
}: {
  keymap: readonly KeyBinding[];
  height: number;
  columns: number;
}) {
  const lines = helpLines(keymap);
  const perColumn = Math.max(1, height - 1);
  const columnCount = Math.max(1, Math.ceil(lines.length / perColumn));
  const width = Math.max(20, Math.floor(columns / columnCount));
  const chunks = Array.from({ length: columnCount }, (_, index) =>
    lines.slice(index * perColumn, (index + 1) * perColumn),
  );
  return (
    <Box flexDirection="column" height={height} width={columns} overflow="hidden">
      <Text bold>Keys (any key closes this)</Text>
      <Box flexDirection="row">
        {chunks.map((chunk, index) => (
          <Box key={index} flexDirection="column" width={width}>
            {chunk.map((line, row) =>
              line.heading ? (
                <Text key={row} bold color={color('accent')} wrap="truncate-end">
                  {line.heading}
                </Text>
              ) : (
                <Text key={row} wrap="truncate-end">
                  <Text bold>{fit(line.keys ?? '', 12)}</Text>
                  {line.description}
                </Text>
              ),
            )}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
