// What the change stream delivers: decoded TiCDC messages as plain values, positions as plain values.
import type { RowImage } from './value.js';
import type { Tso } from './tso.js';

export type RowOp = 'insert' | 'update' | 'delete';

export type StreamItem =
  /** A row change. `before` is set for update/delete (may hold only key columns), `after` for insert/update. */
  | { readonly kind: 'row'; readonly op: RowOp; readonly db: string; readonly table: string; readonly commitTs: Tso; readonly before: RowImage | null; readonly after: RowImage | null }
  /** Every change with commitTs <= this one has been delivered on this partition (TiCDC watermark / resolved ts). */
  | { readonly kind: 'resolved'; readonly commitTs: Tso }
  | { readonly kind: 'ddl'; readonly db: string; readonly table: string; readonly commitTs: Tso; readonly query: string; readonly ddlType: string }
  /** Understood but not for us (another table, bootstrap message, ...). */
  | { readonly kind: 'ignored'; readonly reason: string };

/** A message as the transport hands it over. */
export interface RawMessage {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as decimal text (int64). */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestampMs: number;
}

/** Next offset to read on one topic partition. */
export interface StreamPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
