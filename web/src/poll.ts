// A hook that runs an async loader now and every `intervalMs`, keeping the last result and error.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly refresh: () => void;
}

export function usePoll<T>(load: () => Promise<T>, intervalMs: number | null, deps: readonly unknown[]): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [tick, setTick] = useState(0);
  const alive = useRef(true);
  const refresh = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    alive.current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async (): Promise<void> => {
      try {
        const value = await load();
        if (!alive.current) return;
        setData(value);
        setError(undefined);
      } catch (err) {
        if (alive.current) setError(err);
      }
      if (alive.current && intervalMs !== null) timer = setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      alive.current = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);

  return { data, error, refresh };
}
