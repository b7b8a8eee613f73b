/** Images: repository:tag, id, size, age, and the containers that use each; `d` removes one. */
import React from 'react';
import { Box, Text } from 'ink';
import { useDashboard } from '../dashboard-context.js';
import { useCursor } from '../hooks/use-cursor.js';
import { useEngineResource } from '../hooks/use-engine-resource.js';
import { usePaneKeys } from '../hooks/use-pane-keys.js';
import { ago, fit, humanSize, shortId } from '../state/format.js';
import { color } from '../theme.js';
import type { ImageRow } from '../dashboard-engine.js';

interface Line {
  image: ImageRow;
  name: string;
}

/** One row per tag (as `docker images` shows), one for an untagged image. */
export function imageLines(images: readonly ImageRow[]): Line[] {
  return images.flatMap((image) =>
    image.repoTags.length > 0
      ? image.repoTags.map((name) => ({ image, name }))
      : [{ image, name: '<none>:<none>' }],
  );
}

export function ImagesPane() {
  const { engine, keymap, hub, shell, size, activePane, now } = useDashboard();
  const resource = useEngineResource(() => engine.listImages(), hub, ['image', 'container']);
  const lines = imageLines(resource.data ?? []);
  const height = Math.max(1, size.rows - 2);
  const cursor = useCursor(lines.length, height);
  const shown = lines.slice(cursor.first, cursor.first + height);
  const nameWidth = Math.max(20, Math.floor(size.columns * 0.35));
  const usedWidth = Math.max(0, size.columns - nameWidth - 14 - 10 - 19);

  usePaneKeys(keymap, 'images', activePane === 'images', (command) => {
    if (command === 'list.up') return cursor.move(-1);
    if (command === 'list.down') return cursor.move(1);
    const line = lines[cursor.index];
    if (command === 'image.remove' && line) {
      const tagged = line.image.repoTags.length > 1 && line.name !== '<none>:<none>';
      const target = tagged ? line.name : line.image.id;
      const what = tagged
        ? `Untag ${line.name}? Image ${shortId(line.image.id)} keeps its other ${line.image.repoTags.length - 1} tag(s).`
        : `Remove image ${line.name} (${shortId(line.image.id)}, ${humanSize(line.image.size)})?`;
      const refused =
        line.image.usedBy.length > 0
          ? ` It is used by ${line.image.usedBy.join(', ')}: removal will be refused.`
          : '';
      shell.ask(what + refused, () =>
        shell.run(`removing ${line.name}`, `removed ${line.name}`, () => engine.removeImage(target)),
      );
    }
  });

  return (
    <Box flexDirection="column" height={size.rows} width={size.columns} overflow="hidden">
      <Text dimColor>{`${(resource.data ?? []).length} images`}</Text>
      <Text bold wrap="truncate-end">
        {fit('REPOSITORY:TAG', nameWidth)}
        {fit('IMAGE ID', 14)}
        {fit('SIZE', 10)}
        {fit('CREATED', 19)}
        {fit('IN USE BY', usedWidth)}
      </Text>
      {resource.error ? <Text color={color('error')}>{resource.error}</Text> : null}
      {!resource.error && lines.length === 0 ? (
        <Text dimColor>{resource.loading ? 'loading…' : 'no images'}</Text>
      ) : null}
      {shown.map((line, index) => (
        <Text
          key={line.image.id + line.name}
          inverse={cursor.first + index === cursor.index}
          wrap="truncate-end"
        >
          {fit(line.name, nameWidth)}
          {fit(shortId(line.image.id), 14)}
          {fit(humanSize(line.image.size), 10)}
          {fit(line.image.createdMs ? ago(line.image.createdMs, now) : '', 19)}
          <Text dimColor={line.image.usedBy.length === 0}>
            {fit(line.image.usedBy.join(', ') || 'unused', usedWidth)}
          </Text>
        </Text>
      ))}
    </Box>
  );
}
