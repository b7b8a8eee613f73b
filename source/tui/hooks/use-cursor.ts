/** A cursor over a list of `length` rows with a window of `height` rows that keeps it visible. */
import { useRef, useState } from 'react';
import { windowFor } from '../state/container-list.js';

export function useCursor(
  length: number,
  height: number,
): { index: number; first: number; move: (delta: number) => void } {
  const [index, setIndex] = useState(0);
  const top = useRef(0);
  const clamped = Math.max(0, Math.min(index, length - 1));
  const first = windowFor(length, clamped, height, top.current);
  top.current = first;
  return {
    index: clamped,
    first,
    move: (delta) => setIndex((current) => Math.max(0, Math.min(length - 1, current + delta))),
  };
}
