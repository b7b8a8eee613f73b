/**
 * Loads something from the engine once, then again only when an event of the given kinds
 * arrives (coalesced to one reload per `delayMs`): no polling of the whole state.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventKind } from '../../engine/index.js';
import type { EventHub } from './event-hub.js';

export interface Resource<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

export function useEngineResource<T>(
  load: () => Promise<T>,
  hub: EventHub,
  kinds: EventKind[],
  options: { enabled?: boolean; delayMs?: number } = {},
): Resource<T> {
  const { enabled = true, delayMs = 100 } = options;
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: enabled });
  const loadRef = useRef(load);
  loadRef.current = load;
  const running = useRef(false);
  const again = useRef(false);
  const mounted = useRef(true);
  const kindsKey = kinds.join(',');

  const reload = useCallback((): void => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    void (async () => {
      do {
        again.current = false;
        try {
          const data = await loadRef.current();
          if (mounted.current) setState({ data, loading: false });
        } catch (error) {
          if (mounted.current) {
            setState((previous) => ({
              ...previous,
              error: error instanceof Error ? error.message : String(error),
              loading: false,
            }));
          }
        }
      } while (again.current && mounted.current);
      running.current = false;
    })();
  }, []);

  useEffect(() => {
    mounted.current = true;
    if (!enabled) return;
    reload();
    let timer: NodeJS.Timeout | undefined;
    const off = hub.on(kindsKey.split(',') as EventKind[], () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        reload();
      }, delayMs);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [enabled, hub, kindsKey, delayMs, reload]);

  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  return { ...state, reload };
}
