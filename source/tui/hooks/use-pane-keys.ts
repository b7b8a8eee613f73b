/**
 * A pane's keys: the keymap turns each keystroke into a command id for this pane, and the pane's
 * handler gets it only while the pane is active (no prompt, question or help open).
 */
import { useCallback, useRef } from 'react';
import { useInput, type Key } from 'ink';
import type { KeyBinding, PaneId } from '../keymap.js';
import { commandFor } from '../keymap.js';
import { keyName } from '../key-names.js';

export function usePaneKeys(
  keymap: readonly KeyBinding[],
  pane: PaneId,
  active: boolean,
  handler: (command: string) => void,
): void {
  // Ink re-subscribes a changed handler only in a passive effect, after the frame is drawn; a key
  // pressed in between would reach the previous render's handler and act on stale rows.
  const latest = useRef(handler);
  latest.current = handler;
  const onInput = useCallback(
    (input: string, key: Key) => {
      const command = commandFor(keymap, keyName(input, key), pane);
      if (command) latest.current(command);
    },
    [keymap, pane],
  );
  useInput(onInput, { isActive: active });
}
