/** The bottom line: the keys that work in this pane now, generated from the keymap. */
import React from 'react';
import { Box, Text } from 'ink';
import { footerFor, type KeyBinding, type PaneId } from '../keymap.js';
import { keyLabel } from '../key-names.js';
import { color } from '../theme.js';

export function footerText(keymap: readonly KeyBinding[], pane: PaneId): { key: string; label: string }[] {
  return footerFor(keymap, pane).map((entry) => ({ key: keyLabel(entry.key), label: entry.label }));
}

export function Footer({
  keymap,
  pane,
  columns,
}: {
  keymap: readonly KeyBinding[];
  pane: PaneId;
  columns: number;
}) {
  return (
    <Box height={1} width={columns} overflow="hidden">
      <Text wrap="truncate-end">
        {footerText(keymap, pane).map((entry) => (
          <Text key={entry.key + entry.label}>
            <Text bold color={color('accent')}>
              {entry.key}
            </Text>
            <Text>{` ${entry.label}  `}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
