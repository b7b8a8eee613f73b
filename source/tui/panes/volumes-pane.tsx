/** Volumes: name, size, the containers that use each; `d` removes an unused one. */
import React from 'react';
import { Box, Text } from 'ink';
import { useDashboard } from '../dashboard-context.js';
import { useCursor } from '../hooks/use-cursor.js';
import { useEngineResource } from '../hooks/use-engine-resource.js';
import { usePaneKeys } from '../hooks/use-pane-keys.js';
import { fit, humanSize } from '../state/format.js';
import { color } from '../theme.js';

export function VolumesPane() {
  const { engine, keymap, hub, shell, size, activePane } = useDashboard();
  const resource = useEngineResource(() => engine.listVolumes(), hub, ['volume', 'container']);
  const volumes = resource.data ?? [];
  const height = Math.max(1, size.rows - 2);
  const cursor = useCursor(volumes.length, height);
  const nameWidth = Math.max(20, Math.floor(size.columns * 0.45));

  usePaneKeys(keymap, 'volumes', activePane === 'volumes', (command) => {
    if (command === 'list.up') return cursor.move(-1);
    if (command === 'list.down') return cursor.move(1);
    const volume = volumes[cursor.index];
    if (command === 'volume.remove' && volume) {
      if (volume.usedBy.length > 0)
        return shell.info(`volume ${volume.name} is used by ${volume.usedBy.join(', ')}`, 'error');
      shell.ask(
        `Remove volume ${volume.name} and all its data${volume.size ? ` (${humanSize(volume.size)})` : ''}?`,
        () =>
          shell.run(`removing volume ${volume.name}`, `removed volume ${volume.name}`, () =>
            engine.removeVolume(volume.name),
          ),
      );
    }
  });

  return (
    <Box flexDirection="column" height={size.rows} width={size.columns} overflow="hidden">
      <Text dimColor>{`${volumes.length} volumes`}</Text>
      <Text bold wrap="truncate-end">
        {fit('VOLUME NAME', nameWidth)}
        {fit('SIZE', 10)}
        {'USED BY'}
      </Text>
      {resource.error ? <Text color={color('error')}>{resource.error}</Text> : null}
      {!resource.error && volumes.length === 0 ? (
        <Text dimColor>{resource.loading ? 'loading…' : 'no volumes'}</Text>
      ) : null}
      {volumes.slice(cursor.first, cursor.first + height).map((volume, index) => (
        <Text key={volume.name} inverse={cursor.first + index === cursor.index} wrap="truncate-end">
          {fit(volume.name, nameWidth - 1)} {fit(volume.size === undefined ? '' : humanSize(volume.size), 10)}
          <Text dimColor={volume.usedBy.length === 0}>{volume.usedBy.join(', ') || 'unused'}</Text>
        </Text>
      ))}
    </Box>
  );
}
