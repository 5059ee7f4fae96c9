// One retry helper: capped exponential back-off with full jitter. Only retriable errors are retried.
import { isTidesearchError } from '../errors/index.js';

export interface RetryOptions {
  readonly retries: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Decides whether an error is worth another try; defaults to TidesearchError.retriable. */
  readonly isRetriable?: (e: unknown) => boolean;
  readonly onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const initial = o.initialDelayMs ?? 200;
  const max = o.maxDelayMs ?? 10_000;
  const retriable = o.isRetriable ?? ((e: unknown) => isTidesearchError(e) && e.retriable);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= o.retries || !retriable(e) || o.signal?.aborted) throw e;
      const delayMs = Math.round(Math.random() * Math.min(max, initial * 2 ** attempt));
      o.onRetry?.(e, attempt + 1, delayMs);
      await sleep(delayMs, o.signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
