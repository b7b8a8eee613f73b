/**
 * A pane's keys: the keymap turns each keystroke into a command id for this pane, and the pane's
 * handler gets it only while the pane is active (no prompt, question or help open).
 */
import { useInput } from 'ink';
import type { KeyBinding, PaneId } from '../keymap.js';
import { commandFor } from '../keymap.js';
import { keyName } from '../key-names.js';

export function usePaneKeys(
  keymap: readonly KeyBinding[],
  pane: PaneId,
  active: boolean,
  handler: (command: string) => void,
): void {
  useInput(
    (input, key) => {
      const command = commandFor(keymap, keyName(input, key), pane);
      if (command) handler(command);
    },
    { isActive: active },
  );
}
