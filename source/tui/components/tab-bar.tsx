/** The top line: berth, the panes with their number keys, the active one inverted. */
import React from 'react';
import { Box, Text } from 'ink';
import { type KeyBinding, type PaneId } from '../keymap.js';
import { paneOrder, paneTitles } from '../state/app-state.js';
import { color } from '../theme.js';

export function TabBar({
  pane,
  keymap,
  columns,
}: {
  pane: PaneId;
  keymap: readonly KeyBinding[];
  columns: number;
}) {
  const keyOf = (id: PaneId): string =>
    keymap.find((binding) => binding.id === `pane.${id}`)?.keys[0] ?? String(paneOrder.indexOf(id) + 1);
  return (
    <Box height={1} width={columns} overflow="hidden">
      <Text bold color={color('accent')}>
        {' berth '}
      </Text>
      {paneOrder.map((id) => (
        <Text key={id} inverse={id === pane} bold={id === pane}>
          {` ${keyOf(id)} ${paneTitles[id]} `}
        </Text>
      ))}
    </Box>
  );
}
