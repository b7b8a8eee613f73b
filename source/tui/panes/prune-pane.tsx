/**
 * Prune that shows what it will do: the stopped containers, dangling (or, with `u`, unused)
 * images, unused volumes (named ones listed but unmarked) and the build cache that would go,
 * each with its size and the total; mark or unmark, confirm, watch the progress, see the space
 * actually reclaimed.
 */
import React, { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { useDashboard } from '../dashboard-context.js';
import { usePaneKeys } from '../hooks/use-pane-keys.js';
import { useCursor } from '../hooks/use-cursor.js';
import type { PruneKind, PruneOutcome } from '../dashboard-engine.js';
import {
  describeItems,
  itemKey,
  markedItems,
  planFrom,
  toggleAt,
  totalSize,
  type PrunePlan,
} from '../state/prune-plan.js';
import { fit, humanSize } from '../state/format.js';
import { color } from '../theme.js';

const kindLabel: Record<PruneKind, string> = {
  container: 'container',
  image: 'image',
  volume: 'volume',
  'build-cache': 'build cache',
};

export function PrunePane() {
  const { engine, keymap, shell, size, activePane } = useDashboard();
  const [plan, setPlan] = useState<PrunePlan>(planFrom([]));
  const [problems, setProblems] = useState<string[]>([]);
  const [allImages, setAllImages] = useState(false);
  const [state, setState] = useState<{ phase: 'loading' | 'ready' | 'pruning' | 'error'; text?: string }>({
    phase: 'loading',
  });
  const [generation, setGeneration] = useState(0);
  const height = Math.max(1, size.rows - 4);
  const cursor = useCursor(plan.items.length, height);

  useEffect(() => {
    let current = true;
    setState({ phase: 'loading' });
    engine
      .prunePreview({ allImages })
      .then((preview) => {
        if (!current) return;
        setPlan(planFrom(preview.items));
        setProblems(preview.problems);
        setState({ phase: 'ready' });
      })
      .catch(
        (error: unknown) =>
          current &&
          setState({ phase: 'error', text: error instanceof Error ? error.message : String(error) }),
      );
    return () => {
      current = false;
    };
  }, [engine, allImages, generation]);

  const marked = markedItems(plan);
  usePaneKeys(keymap, 'prune', activePane === 'prune' && state.phase !== 'pruning', (command) => {
    switch (command) {
      case 'list.up':
        return cursor.move(-1);
      case 'list.down':
        return cursor.move(1);
      case 'prune.toggle':
        setPlan((current) => toggleAt(current, cursor.index));
        return cursor.move(1);
      case 'prune.unused':
        return setAllImages((value) => !value);
      case 'prune.reload':
        return setGeneration((value) => value + 1);
      case 'prune.run': {
        if (marked.length === 0) return shell.info('nothing marked to prune');
        shell.ask(`Permanently remove ${describeItems(marked)} (${humanSize(totalSize(marked))})?`, () => {
          setState({ phase: 'pruning', text: 'starting…' });
          shell.run(
            `pruning ${describeItems(marked)}`,
            (outcome: PruneOutcome) => {
              const failed = outcome.failures
                .map((failure) => `${failure.item.label}: ${failure.message}`)
                .join('; ');
              return {
                text: `reclaimed ${humanSize(outcome.reclaimed)} · removed ${describeItems(outcome.removed)}${failed ? ` · failed: ${failed}` : ''}`,
                tone: failed ? 'error' : 'ok',
              };
            },
            async () => {
              try {
                return await engine.prune(marked, (done, total, item) =>
                  setState({
                    phase: 'pruning',
                    text: `${done}/${total} removed${done < total ? ` · removing ${item.label}` : ''}`,
                  }),
                );
              } finally {
                setGeneration((value) => value + 1);
              }
            },
          );
        });
        return;
      }
    }
  });

  const labelWidth = Math.max(20, size.columns - 2 - 13 - 12);
  return (
    <Box flexDirection="column" height={size.rows} width={size.columns} overflow="hidden">
      <Text dimColor wrap="truncate-end">
        {`Prune · images: ${allImages ? 'all unused' : 'dangling only'} (u) · named volumes start unmarked · running and in-use things are never listed`}
      </Text>
      <Text bold wrap="truncate-end">
        {'  '}
        {fit('KIND', 13)}
        {fit('NAME', labelWidth)}
        {'SIZE'}
      </Text>
      {state.phase === 'loading' ? <Text dimColor>working out what can go…</Text> : null}
      {state.phase === 'error' ? <Text color={color('error')}>{state.text}</Text> : null}
      {state.phase === 'ready' && plan.items.length === 0 ? (
        <Text color={color('ok')}>nothing to prune</Text>
      ) : null}
      {plan.items.slice(cursor.first, cursor.first + height).map((item, index) => (
        <Text key={itemKey(item)} inverse={cursor.first + index === cursor.index} wrap="truncate-end">
          <Text color={color('accent')}>{plan.marked.has(itemKey(item)) ? '● ' : '○ '}</Text>
          {fit(kindLabel[item.kind], 13)}
          {fit(item.label, labelWidth)}
          {humanSize(item.size)}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text bold wrap="truncate-end">
        {state.phase === 'pruning'
          ? `pruning: ${state.text ?? ''}`
          : `marked: ${describeItems(marked)} · ${humanSize(totalSize(marked))} reclaimable`}
        {problems.length > 0 ? (
          <Text color={color('error')}>{` · could not list ${problems.join('; ')}`}</Text>
        ) : null}
      </Text>
    </Box>
  );
}
