// The change side's transport as the pipeline sees it. Implementation: kafka/ (kafkajs).
import type { RawMessage, StreamPosition } from '../core/change.js';

/** What the transport reports about its connection, so a channel never stalls silently. */
export type TransportStatus =
  | { readonly state: 'connecting' | 'running' }
  | { readonly state: 'retrying'; readonly reason: string; readonly attempt: number; readonly delayMs: number }
  | { readonly state: 'stopped'; readonly reason?: string };

/** One partition's messages of a batch, in offset order. */
export interface PartitionBatch {
  readonly partition: number;
  readonly messages: readonly RawMessage[];
  /** Broker's high watermark for this partition (for lag in messages). */
  readonly highWatermark: string;
}

/**
 * What one fetch returned: every partition that had messages. The consumer applies it whole (one
 * transaction for all partitions), so a fetch's cost of committing is paid once, not once per partition.
 */
export interface ChangeBatch {
  readonly topic: string;
  readonly partitions: readonly PartitionBatch[];
}

export interface ChangeStreamRunOptions {
  /** Where to start per partition; partitions absent here start per `reset`. */
  readonly from: readonly StreamPosition[];
  readonly reset: 'earliest' | 'latest' | 'none';
  readonly signal: AbortSignal;
  /**
   * Called for each batch, one at a time. The consumer may take a batch in and resolve before it is applied
   * (pipelining); it must apply batches in order and store positions with what they applied.
   */
  readonly onBatch: (b: ChangeBatch) => Promise<void>;
}

export interface ChangeStream {
  /** Consumes until the signal aborts; rejects on a non-retriable failure. */
  run(o: ChangeStreamRunOptions): Promise<void>;
  /** Reports applied positions to the consumer group (visibility only; the index holds the truth). */
  commit(positions: readonly StreamPosition[]): Promise<void>;
  /**
   * Where a channel with no stored positions starts, one entry per partition of the topic: the group's
   * committed offset when it has one, else the partition's earliest ('earliest') or end ('latest') offset;
   * 'none' with no committed offset → TidesearchError STREAM_NO_POSITION. Resolved to concrete offsets
   * BEFORE the snapshot is taken, so that nothing produced after the snapshot is skipped.
   */
  startPositions(reset: 'earliest' | 'latest' | 'none'): Promise<StreamPosition[]>;
  /** The end of every partition now: the offset the next produced message will get. */
  endPositions(): Promise<StreamPosition[]>;
  close(): Promise<void>;
}
