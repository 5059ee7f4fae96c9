// The typed instrumentation event map and its emitter. Pipeline, tasks and API emit; metrics, logs and the
// console subscribe. Emitting never throws into the caller: a failing listener is logged and skipped.
import type { StreamPosition } from '../core/change.js';

export type BuildStage = 'dump' | 'join' | 'indexBuild' | 'indexBackflow';
export type ChannelState = 'starting' | 'running' | 'paused' | 'failed' | 'stopped';

export interface TidesearchEventMap {
  /** Progress of one stage of a build task; rowsTotal is null while unknown. */
  readonly 'build.progress': {
    readonly index: string;
    readonly taskId: number;
    readonly stage: BuildStage;
    readonly rowsDone: number;
    readonly rowsTotal: number | null;
  };
  readonly 'build.finished': {
    readonly index: string;
    readonly taskId: number;
    readonly ok: boolean;
    readonly docs: number;
    readonly durationMs: number;
    readonly error?: string;
  };
  /** One batch of change events handled by an index's channel. */
  readonly 'channel.applied': {
    readonly index: string;
    readonly events: number;
    readonly skipped: number;
    readonly rejected: number;
    /** now − commit time of the newest applied change; null when nothing has been applied yet. */
    readonly lagMs: number | null;
    /** Next offsets to read, after this batch. */
    readonly positions: readonly StreamPosition[];
  };
  readonly 'channel.state': { readonly index: string; readonly state: ChannelState; readonly reason?: string };
  readonly query: { readonly index: string; readonly ms: number; readonly hits: number };
  /** The index and its channel are gone; per-index series can be dropped. */
  readonly 'index.deleted': { readonly index: string };
  readonly 'http.error': { readonly method: string; readonly route: string; readonly status: number; readonly code: string };
}

export type TidesearchEventName = keyof TidesearchEventMap;
export type Listener<K extends TidesearchEventName> = (payload: TidesearchEventMap[K]) => void;

export interface EventBus {
  emit<K extends TidesearchEventName>(name: K, payload: TidesearchEventMap[K]): void;
  /** Returns the function that removes this listener. */
  on<K extends TidesearchEventName>(name: K, listener: Listener<K>): () => void;
  listenerCount(name: TidesearchEventName): number;
}

/** Where a listener's failure is reported; the logger in production, a spy in tests. */
export type ListenerErrorSink = (name: TidesearchEventName, err: unknown) => void;

export function createEventBus(onListenerError: ListenerErrorSink = () => {}): EventBus {
  const listeners = new Map<TidesearchEventName, Set<(payload: never) => void>>();
  return {
    emit(name, payload) {
      const set = listeners.get(name);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          (listener as Listener<typeof name>)(payload);
        } catch (err) {
          // Instrumentation must never break a build or a query.
          try {
            onListenerError(name, err);
          } catch {
            // the sink itself failed; nothing more can be done safely
          }
        }
      }
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (set === undefined) listeners.set(name, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    listenerCount(name) {
      return listeners.get(name)?.size ?? 0;
    },
  };
}
