/** The line above the footer: a y/N question, a prompt being typed, or the last action's status. */
import React from 'react';
import { Box, Text } from 'ink';
import type { AppState } from '../state/app-state.js';
import { color } from '../theme.js';

export function StatusLine({ state, columns }: { state: AppState; columns: number }) {
  let content: React.ReactNode = <Text> </Text>;
  if (state.confirm) {
    content = (
      <Text wrap="truncate-end">
        <Text bold color={color('warn')}>
          {state.confirm.question}
        </Text>
        <Text> [y/N]</Text>
      </Text>
    );
  } else if (state.prompt) {
    content = (
      <Text wrap="truncate-end">
        <Text bold>{state.prompt.label}</Text>
        <Text>{state.prompt.text}</Text>
        <Text inverse> </Text>
      </Text>
    );
  } else if (state.status) {
    const tone = state.status.tone;
    content = (
      <Text
        wrap="truncate-end"
        color={color(
          tone === 'error' ? 'error' : tone === 'ok' ? 'ok' : tone === 'busy' ? 'accent' : 'muted',
        )}
      >
        {tone === 'busy' ? '… ' : ''}
        {state.status.text}
      </Text>
    );
  }
  return (
    <Box height={1} width={columns} overflow="hidden">
      {content}
    </Box>
  );
}
