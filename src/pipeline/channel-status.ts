// What an incremental channel reports about itself (do_get_incr_status, the console, metrics).
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
  readonly applied: number;
  readonly skipped: number;
  readonly ignored: number;
  readonly rejected: number;
  /** now − commit time of the last applied change (ms); null before the first. */
  readonly lagMs: number | null;
  /** now − the last watermark (resolved ts) seen (ms); null before the first. */
  readonly watermarkLagMs: number | null;
  readonly lastCommitTs: string | null;
  readonly lastWatermarkTs: string | null;
  readonly protocol: string | null;
  readonly logs: readonly string[];
}
