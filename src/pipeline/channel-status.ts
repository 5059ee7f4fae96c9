// What an incremental channel reports about itself (do_get_incr_status, the console, metrics), and the
// per-second counter behind its last_60_sec.
import type { StreamPosition } from '../core/change.js';

export type ChannelRunState = 'starting' | 'running' | 'catching-up' | 'retrying' | 'stopped' | 'failed';

export interface ChannelStatus {
  readonly state: ChannelRunState;
  readonly reason: string | null;
  /** Next offset to read per partition, as stored with the live generation. */
  readonly positions: readonly StreamPosition[];
  /** Broker end offset per partition at the last fetch, for lag in messages. */
  readonly endOffsets: Readonly<Record<string, string>>;
  /** Change events applied in the last 60 seconds. */
  readonly last60Sec: number;
  /** Each stream event counts once: a catch-up re-reading what the live channel took in does not count it again. */
  readonly applied: number;
  readonly skipped: number;
  readonly ignored: number;
  readonly rejected: number;
  /** now − commit time of the newest applied change (ms); null before the first; negative when it is ahead of this clock. */
  readonly lagMs: number | null;
  /** now − the last watermark (resolved ts) seen (ms); null before the first; negative likewise. */
  readonly watermarkLagMs: number | null;
  readonly lastCommitTs: string | null;
  readonly lastWatermarkTs: string | null;
  readonly protocol: string | null;
  readonly logs: readonly string[];
}

/** Counts per second over the last minute. */
export class MinuteCounter {
  readonly #buckets = new Array<number>(60).fill(0);
  #second = 0;
  add(n: number, nowMs = Date.now()): void {
    this.#roll(nowMs);
    this.#buckets[this.#second % 60]! += n;
  }
  total(nowMs = Date.now()): number {
    this.#roll(nowMs);
    return this.#buckets.reduce((a, b) => a + b, 0);
  }
  #roll(nowMs: number): void {
    const s = Math.floor(nowMs / 1000);
    if (this.#second === 0) this.#second = s;
    for (let t = Math.min(s, this.#second + 60); this.#second < t; ) this.#buckets[++this.#second % 60] = 0;
    this.#second = s;
  }
}
