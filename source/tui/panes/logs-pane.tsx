/**
 * Logs of the selected container, or a merged stream of the marked ones (each line prefixed
 * and coloured by its source): follow, scroll, timestamps, wrap, since/tail, regex search with
 * highlights and n/N, filter mode with context, save to a file, copy the visible lines.
 */
import React, { useMemo, useState } from 'react';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Box, Text } from 'ink';
import { useDashboard } from '../dashboard-context.js';
import { usePaneKeys } from '../hooks/use-pane-keys.js';
import { useLogStream, type LogSource } from '../hooks/use-log-stream.js';
import {
  bottomIndex,
  cycle,
  displayedSeqs,
  initialLogsView,
  jumpToMatch,
  matchCount,
  scrollBy,
  scrollToBottom,
  scrollToTop,
  seqsBetween,
  setQuery,
  sinceChoices,
  sinceMs,
  tailChoices,
  toggleFollow,
  type LogsView,
} from '../state/logs-view.js';
import { fillFromBottom, highlightRuns, plainLine, sanitize, timestampOf } from '../state/log-lines.js';
import type { LogLine } from '../state/log-buffer.js';
import { color, sourceColor } from '../theme.js';
import { osc52 } from '../terminal.js';

function fileStamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export function LogsPane() {
  const { engine, keymap, selection, shell, size, activePane } = useDashboard();
  const [view, setView] = useState<LogsView>(initialLogsView);
  const [since, setSince] = useState<number | undefined>(undefined);
  const marked = selection.containers.filter((container) => selection.marks.has(container.id));
  const chosen = marked.length > 0 ? marked : selection.selected ? [selection.selected] : [];
  const sources: LogSource[] = chosen.map((container) => ({ id: container.id, name: container.name }));
  const merged = sources.length > 1;
  const stream = useLogStream(engine, sources, {
    sinceMs: since,
    tail: view.tail === 'all' ? undefined : view.tail,
    enabled: true,
  });
  const { buffer, version } = stream;
  const height = Math.max(1, size.rows - 1);
  const seqs = useMemo(
    () => displayedSeqs(buffer, view),
    [buffer, version, view.filterMode, view.pattern, view.context],
  );
  // Near the top a short window would leave rows empty: show the first full page instead.
  const bottom = Math.max(bottomIndex(view, seqs), Math.min(seqs.length - 1, height - 1));
  const first = buffer.firstSeq;
  const lineAt = (seq: number): LogLine | undefined => buffer.at(seq - first);
  const sourceIndex = new Map(sources.map((source, index) => [source.name, index]));
  const prefixWidth =
    (view.timestamps ? 24 : 0) + (merged ? Math.max(...sources.map((source) => source.name.length)) + 3 : 0);
  const textWidth = Math.max(10, size.columns - prefixWidth);
  const windowStart = Math.max(0, bottom - height + 1);
  const lengths = seqsBetween(seqs, windowStart, bottom + 1).map(
    (seq) => sanitize(lineAt(seq)?.text ?? '').length,
  );
  const [fromInWindow, toInWindow] = fillFromBottom(
    lengths,
    lengths.length - 1,
    height,
    textWidth,
    view.wrap,
  );
  const [from, to] = [windowStart + fromInWindow, windowStart + toInWindow];
  const shown = seqsBetween(seqs, from, to);

  const update = (change: (current: LogsView) => LogsView): void => setView(change);
  const save = (path: string): void => {
    const target = resolve(path);
    const lines = seqsBetween(seqs, 0, seqs.length)
      .map(lineAt)
      .filter((line): line is LogLine => line !== undefined);
    const text =
      lines.map((line) => plainLine(line, { timestamps: view.timestamps, showSource: merged })).join('\n') +
      '\n';
    shell.run(`saving ${lines.length} lines to ${target}`, `saved ${lines.length} lines to ${target}`, () =>
      writeFile(target, text),
    );
  };

  usePaneKeys(keymap, 'logs', activePane === 'logs', (command) => {
    switch (command) {
      case 'logs.follow':
        return update((current) => toggleFollow(current, seqs));
      case 'list.up':
        return update((current) => scrollBy(current, seqs, -1));
      case 'list.down':
        return update((current) => scrollBy(current, seqs, 1));
      case 'logs.pageUp':
        return update((current) => scrollBy(current, seqs, -height));
      case 'logs.pageDown':
        return update((current) => scrollBy(current, seqs, height));
      case 'logs.top':
        return update((current) => scrollToTop(current, seqs, height));
      case 'logs.bottom':
        return update(scrollToBottom);
      case 'logs.timestamps':
        return update((current) => ({ ...current, timestamps: !current.timestamps }));
      case 'logs.wrap':
        return update((current) => ({ ...current, wrap: !current.wrap }));
      case 'logs.since': {
        const next = cycle(sinceChoices, view.since);
        setSince(sinceMs(next));
        return update((current) => ({ ...scrollToBottom(current), since: next }));
      }
      case 'logs.tail':
        return update((current) => ({ ...scrollToBottom(current), tail: cycle(tailChoices, current.tail) }));
      case 'logs.search':
        return shell.prompt({
          label: 'search (regex): ',
          text: view.query,
          onChange: (query) => update((current) => setQuery(current, query)),
          onSubmit: (query) => update((current) => jumpToMatch(setQuery(current, query), buffer, -1, height)),
          onCancel: () => update((current) => setQuery(current, '')),
        });
      case 'logs.next':
      case 'logs.previous':
        return update((current) => jumpToMatch(current, buffer, command === 'logs.next' ? 1 : -1, height));
      case 'logs.filterMode':
        if (!view.pattern) return shell.info('search first (/), then F keeps only the matching lines');
        return update((current) => ({ ...current, filterMode: !current.filterMode }));
      case 'logs.save':
        return shell.prompt({
          label: 'save to: ',
          text: `berth-${sources.map((source) => source.name).join('+') || 'logs'}-${fileStamp()}.log`,
          onSubmit: (path) => path && save(path),
        });
      case 'logs.copy': {
        const text = shown
          .map(lineAt)
          .filter((line): line is LogLine => line !== undefined)
          .map((line) => plainLine(line, { timestamps: view.timestamps, showSource: merged }))
          .join('\n');
        shell.writeRaw(osc52(text));
        return shell.info(`copied ${shown.length} lines to the clipboard`, 'ok');
      }
    }
  });

  const title = [
    sources.map((source) => source.name).join(', ') || 'no container selected',
    view.follow ? 'following' : 'paused (G follows)',
    `since ${view.since}`,
    `tail ${view.tail}`,
    `${buffer.size} lines`,
    view.filterMode ? `filter ±${view.context}` : '',
    view.searchError ?? (view.pattern ? `/${view.query}/ ${matchCount(view, buffer)} matches` : ''),
    stream.error ?? '',
  ].filter(Boolean);

  return (
    <Box flexDirection="column" height={size.rows} width={size.columns} overflow="hidden">
      <Text dimColor wrap="truncate-end">
        {title.join(' · ')}
      </Text>
      {shown.map((seq, row) => {
        const line = lineAt(seq);
        if (!line) return null;
        const runs = highlightRuns(
          sanitize(line.text),
          view.pattern,
          view.wrap ? textWidth * height : textWidth,
        );
        return (
          // Keyed by screen row, not by line: while following a flood every line on screen is new
          // each frame, and row keys let React and Ink update the same nodes instead of building
          // (and collecting) a fresh set of fibers, Ink nodes and yoga nodes per frame.
          <Text key={row} wrap={view.wrap ? 'wrap' : 'truncate-end'} inverse={seq === view.currentMatch}>
            {merged ? (
              <Text color={sourceColor(sourceIndex.get(line.source) ?? 0)}>
                {line.source.padEnd(prefixWidth - (view.timestamps ? 24 : 0) - 3)}
                {' | '}
              </Text>
            ) : null}
            {view.timestamps ? <Text dimColor>{timestampOf(line) + ' '}</Text> : null}
            {runs.map((run, index) =>
              run.match ? (
                <Text key={index} inverse color={color('match')}>
                  {run.text}
                </Text>
              ) : (
                <Text key={index} color={line.stream === 'stderr' ? color('warn') : undefined}>
                  {run.text}
                </Text>
              ),
            )}
          </Text>
        );
      })}
    </Box>
  );
}
