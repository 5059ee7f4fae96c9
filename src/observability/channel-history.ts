// The last hour of each channel's activity in 10-second buckets (events applied per second, lag), kept in
// memory for the console's chart. Fed by `channel.applied` events; lost on restart by design.
import type { EventBus } from './events.js';

export interface HistoryPoint {
  /** Bucket start, epoch ms. */
  readonly t: number;
  readonly eventsPerSec: number;
  readonly skipped: number;
  readonly rejected: number;
  /** Lag at the end of the bucket (signed like the channel's lag_ms: negative = commit time ahead of the clock); null when no batch carried a lag in it. */
  readonly lagSec: number | null;
}

export interface ChannelHistory {
  readonly bucketMs: number;
  /** Oldest first; only buckets in which something happened. */
  points(index: string): readonly HistoryPoint[];
  close(): void;
}

interface Bucket {
  t: number;
  events: number;
  skipped: number;
  rejected: number;
  lagMs: number | null;
}

export function createChannelHistory(events: EventBus, opts: { readonly bucketMs?: number; readonly spanMs?: number; readonly now?: () => number } = {}): ChannelHistory {
  const bucketMs = opts.bucketMs ?? 10_000;
  const spanMs = opts.spanMs ?? 3_600_000;
  const now = opts.now ?? Date.now;
  const byIndex = new Map<string, Bucket[]>();

  const prune = (buckets: Bucket[], t: number): void => {
    while (buckets.length > 0 && buckets[0]!.t < t - spanMs) buckets.shift();
  };

  const offs = [
    events.on('channel.applied', (a) => {
      const t = now();
      const start = t - (t % bucketMs);
      let buckets = byIndex.get(a.index);
      if (buckets === undefined) byIndex.set(a.index, (buckets = []));
      let last = buckets[buckets.length - 1];
      if (last === undefined || last.t !== start) {
        last = { t: start, events: 0, skipped: 0, rejected: 0, lagMs: null };
        buckets.push(last);
        prune(buckets, t);
      }
      last.events += a.events;
      last.skipped += a.skipped;
      last.rejected += a.rejected;
      if (a.lagMs !== null) last.lagMs = a.lagMs;
    }),
    events.on('index.deleted', (d) => {
      byIndex.delete(d.index);
    }),
  ];

  return {
    bucketMs,
    points(index) {
      const buckets = byIndex.get(index) ?? [];
      prune(buckets, now());
      return buckets.map((b) => ({
        t: b.t,
        eventsPerSec: b.events / (bucketMs / 1000),
        skipped: b.skipped,
        rejected: b.rejected,
        lagSec: b.lagMs === null ? null : b.lagMs / 1000,
      }));
    },
    close() {
      for (const off of offs) off();
    },
  };
}
