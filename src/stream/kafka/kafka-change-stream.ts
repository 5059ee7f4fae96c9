// The ChangeStream over Kafka: fetches the topic's partitions by explicit assignment from the positions the
// caller passes (the index's own), falls back to the group's committed offsets and then to `reset`, and
// commits to the group for visibility only. Broker trouble is retried with back-off and reported via onStatus.
import type { RawMessage, StreamPosition } from '../../core/change.js';
import { retry } from '../../core/retry.js';
import { TidesearchError } from '../../errors/index.js';
import type { ChangeStream, ChangeStreamRunOptions } from '../change-stream.js';
import { createKafkaWire, WireError, type KafkaWire, type WireOptions, type WirePartitionData } from './kafka-wire.js';

export type StreamStatus =
  | { readonly state: 'connecting' }
  | { readonly state: 'running' }
  | { readonly state: 'retrying'; readonly reason: string; readonly attempt: number; readonly delayMs: number }
  | { readonly state: 'stopped'; readonly reason?: string };

/** pino-compatible subset. */
export interface StreamLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface KafkaChangeStreamOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Offsets are committed here for visibility; it is never joined, so it never gates consumption. */
  readonly groupId: string;
  readonly clientId?: string;
  /** How long a fetch waits for data. The librdkafka mock answers only when it expires. Default 500. */
  readonly maxWaitTimeMs?: number;
  readonly logger?: StreamLogger;
  readonly onStatus?: (s: StreamStatus) => void;
  /** Back-off between attempts when the brokers fail; defaults 200 ms doubling to 5 s. */
  readonly retryInitialDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** How often the partition list is re-read to pick up partitions added to the topic. Default 30 s. */
  readonly metadataRefreshMs?: number;
  /** Replaces the kafkajs wire (tests). */
  readonly wire?: KafkaWire;
}

type Reset = ChangeStreamRunOptions['reset'];
const ADMIN_RETRIES = 4;

export function createKafkaChangeStream(o: KafkaChangeStreamOptions): ChangeStream {
  return new KafkaChangeStream(o);
}

class KafkaChangeStream implements ChangeStream {
  readonly #o: KafkaChangeStreamOptions;
  readonly #wire: KafkaWire;
  #running = false;

  constructor(o: KafkaChangeStreamOptions) {
    this.#o = o;
    const log: WireOptions['log'] = o.logger ? (level, message, extra) => o.logger![level](extra, message) : undefined;
    this.#wire = o.wire ?? createKafkaWire({ brokers: o.brokers, clientId: o.clientId ?? 'tidesearch', ...(log ? { log } : {}) });
  }

  async run(r: ChangeStreamRunOptions): Promise<void> {
    if (this.#running) throw new TidesearchError('INTERNAL', 'this change stream is already running');
    this.#running = true;
    const { topic } = this.#o;
    const maxWait = this.#o.maxWaitTimeMs ?? 500;
    let stopReason: string | undefined;
    try {
      this.#status({ state: 'connecting' });
      const positions = await this.#withRetry(r.signal, async () => {
        await this.#wire.connect();
        return this.#resolveStart(await this.#wire.partitions(topic), r.from, r.reset);
      });
      if (!positions) return;
      this.#status({ state: 'running' });
      // One fetch is always in flight while the previous batches are applied: against the mock (which
      // answers only when maxWaitTimeMs runs out) and on real brokers alike, fetching overlaps applying.
      // `positions` changes only between a fetch's completion and the start of the next one.
      const fetchNext = (): Promise<WirePartitionData[] | undefined> => {
        const p = this.#withRetry(r.signal, (attempt) => this.#fetch(positions, maxWait, attempt, r.reset));
        p.catch(() => {}); // awaited below; this only keeps an early rejection from counting as unhandled
        return p;
      };
      let metadataAt = Date.now();
      let pending = fetchNext();
      for (;;) {
        const data = await pending;
        if (!data || r.signal.aborted) break;
        for (const p of data) {
          const last = p.messages[p.messages.length - 1];
          if (last) positions.set(p.partition, (BigInt(last.offset) + 1n).toString());
        }
        if (Date.now() - metadataAt > (this.#o.metadataRefreshMs ?? 30_000)) {
          metadataAt = Date.now();
          await this.#addNewPartitions(positions, r);
        }
        pending = fetchNext();
        // Every partition's messages of this fetch in one batch: the consumer applies them in one transaction.
        const partitions = data
          .filter((p) => p.messages.length > 0)
          .map((p) => ({
            partition: p.partition,
            highWatermark: p.highWatermark,
            messages: p.messages.map((m): RawMessage => ({ topic, partition: p.partition, offset: m.offset, key: m.key, value: m.value, timestampMs: Number(m.timestamp) })),
          }));
        if (partitions.length && !r.signal.aborted) await r.onBatch({ topic, partitions });
      }
      await pending.catch(() => {}); // let the last fetch finish before the caller closes the connection
    } catch (e) {
      stopReason = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      this.#running = false;
      this.#status(stopReason === undefined ? { state: 'stopped' } : { state: 'stopped', reason: stopReason });
    }
  }

  async commit(positions: readonly StreamPosition[]): Promise<void> {
    const mine = new Map(positions.filter((p) => p.topic === this.#o.topic).map((p) => [p.partition, p.offset] as const));
    await this.#admin(async () => {
      await this.#wire.connect();
      await this.#wire.commit(this.#o.groupId, this.#o.topic, mine);
    });
  }

  async startPositions(reset: Reset): Promise<StreamPosition[]> {
    return this.#admin(async () => {
      await this.#wire.connect();
      const positions = await this.#resolveStart(await this.#wire.partitions(this.#o.topic), [], reset);
      return this.#list(positions);
    });
  }

  async endPositions(): Promise<StreamPosition[]> {
    return this.#admin(async () => {
      await this.#wire.connect();
      const parts = await this.#wire.partitions(this.#o.topic);
      return this.#list(await this.#wire.listOffsets(this.#o.topic, parts, 'latest'));
    });
  }

  async close(): Promise<void> {
    await this.#wire.disconnect();
  }

  /** Stored position → the group's committed offset → `reset`. */
  async #resolveStart(partitions: readonly number[], from: readonly StreamPosition[], reset: Reset): Promise<Map<number, string>> {
    const { topic, groupId } = this.#o;
    const out = new Map<number, string>();
    for (const p of from) if (p.topic === topic && partitions.includes(p.partition)) out.set(p.partition, p.offset);
    let missing = partitions.filter((p) => !out.has(p));
    if (missing.length === 0) return out;
    for (const [p, offset] of await this.#wire.committed(groupId, topic, missing)) out.set(p, offset);
    missing = missing.filter((p) => !out.has(p));
    if (missing.length === 0) return out;
    if (reset === 'none') {
      throw new TidesearchError('STREAM_NO_POSITION', `partition(s) ${missing.join(', ')} of topic ${topic} have no stored position and consumer group ${groupId} has no committed offset; use offsetResetStrategy "earliest" or "latest", or commit offsets for the group first`, { field: 'incr.offsetResetStrategy' });
    }
    for (const [p, offset] of await this.#wire.listOffsets(topic, missing, reset)) out.set(p, offset);
    return out;
  }

  async #fetch(positions: Map<number, string>, maxWait: number, attempt: number, reset: Reset) {
    if (attempt > 0) {
      // After a failure the leaders may have moved or the connection gone: reconnect and re-read metadata.
      await this.#wire.connect();
      await this.#wire.partitions(this.#o.topic);
    }
    try {
      return await this.#wire.fetch(this.#o.topic, positions, maxWait);
    } catch (e) {
      if (!(e instanceof WireError) || e.kind !== 'offset-out-of-range') throw e;
      await this.#resetOutOfRange(positions, reset, e);
      return [];
    }
  }

  /** Positions the broker no longer (or not yet) has: Kafka's auto.offset.reset semantics, loudly. */
  async #resetOutOfRange(positions: Map<number, string>, reset: Reset, e: WireError): Promise<void> {
    const { topic } = this.#o;
    const parts = [...positions.keys()];
    const earliest = await this.#wire.listOffsets(topic, parts, 'earliest');
    const latest = await this.#wire.listOffsets(topic, parts, 'latest');
    for (const p of parts) {
      const at = BigInt(positions.get(p)!);
      const lo = BigInt(earliest.get(p) ?? '0');
      const hi = BigInt(latest.get(p) ?? '0');
      if (at >= lo && at <= hi) continue;
      if (reset === 'none') {
        throw new TidesearchError('STREAM_NO_POSITION', `offset ${at} of ${topic}-${p} is outside the retained range ${lo}..${hi} (${e.message}); offsetResetStrategy is "none"`, { field: 'incr.offsetResetStrategy' });
      }
      const to = reset === 'earliest' ? lo : hi;
      this.#o.logger?.warn({ topic, partition: p, from: at.toString(), to: to.toString() }, 'stream position out of range: messages were lost to retention; resetting');
      positions.set(p, to.toString());
    }
  }

  async #addNewPartitions(positions: Map<number, string>, r: ChangeStreamRunOptions): Promise<void> {
    const parts = await this.#withRetry(r.signal, () => this.#wire.partitions(this.#o.topic));
    const added = parts?.filter((p) => !positions.has(p)) ?? [];
    if (added.length === 0) return;
    const start = await this.#withRetry(r.signal, () => this.#resolveStart(added, r.from, r.reset));
    for (const [p, offset] of start ?? []) positions.set(p, offset);
  }

  /** Retries transient broker failures forever (until the signal aborts → undefined), reporting each wait. */
  async #withRetry<T>(signal: AbortSignal, fn: (attempt: number) => Promise<T>): Promise<T | undefined> {
    let failed = false;
    try {
      const out = await retry(fn, {
        retries: Number.POSITIVE_INFINITY,
        initialDelayMs: this.#o.retryInitialDelayMs ?? 200,
        maxDelayMs: this.#o.retryMaxDelayMs ?? 5000,
        signal,
        isRetriable: (e) => e instanceof WireError && e.retriable,
        onRetry: (e, attempt, delayMs) => {
          failed = true;
          const reason = e instanceof Error ? e.message : String(e);
          this.#o.logger?.warn({ attempt, delayMs }, `Kafka unreachable, retrying: ${reason}`);
          this.#status({ state: 'retrying', reason, attempt, delayMs });
        },
      });
      if (failed) this.#status({ state: 'running' });
      return out;
    } catch (e) {
      if (signal.aborted) return undefined;
      throw asStreamError(e);
    }
  }

  async #admin<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await retry(fn, { retries: ADMIN_RETRIES, initialDelayMs: this.#o.retryInitialDelayMs ?? 200, maxDelayMs: 2000, isRetriable: (e) => e instanceof WireError && e.retriable });
    } catch (e) {
      throw asStreamError(e);
    }
  }

  #list(positions: ReadonlyMap<number, string>): StreamPosition[] {
    return [...positions].sort(([a], [b]) => a - b).map(([partition, offset]) => ({ topic: this.#o.topic, partition, offset }));
  }

  #status(s: StreamStatus): void {
    try {
      this.#o.onStatus?.(s);
    } catch {
      // a status listener must never break consumption
    }
  }
}

function asStreamError(e: unknown): unknown {
  if (!(e instanceof WireError)) return e;
  return new TidesearchError('STREAM_UNREACHABLE', `Kafka: ${e.message}`, { cause: e, retriable: e.retriable, field: 'incr.mqAddress' });
}
