// One incremental channel at run time: consumes the change stream into one generation through the
// writer, one SQLite transaction per batch (documents, tombstones and positions together), keeping the
// counters that status and metrics show. A message that cannot be decoded is dead-lettered and the
// channel goes on, until the configured limit stops it with a reason.
import type { RawMessage, StreamItem, StreamPosition } from '../core/change.js';

type RowItem = Extract<StreamItem, { kind: 'row' }>;
import type { IndexSpec } from '../core/schema.js';
import { tsoToMillis } from '../core/tso.js';
import { parseUtcOffset } from '../core/value.js';
import type { ChangeStream, ChangeBatch, TransportStatus } from '../stream/change-stream.js';
import { createDecoder, type Decoder } from '../stream/decoders/index.js';
import type { AnalyzerRegistry } from '../engine/analysis/analyzer.js';
import { GenerationWriter, type DocOp } from '../engine/store/writer.js';
import type { Catalog } from '../catalog/catalog.js';
import { asTidesearchError } from '../errors/index.js';
import { ChangeOps, ddlAffectsIndex, tableSchemaOf } from './change-ops.js';
import { versionRule } from './version-rule.js';
import type { ChannelRunState, ChannelStatus } from './channel-status.js';
import type { IncrConfig } from './requests.js';
import type { BulkAnalysis } from './full-build.js';

export interface ChannelObserver {
  applied(e: { index: string; events: number; skipped: number; rejected: number; lagMs: number | null; positions: readonly StreamPosition[] }): void;
  state(e: { index: string; state: ChannelRunState; reason?: string }): void;
}

export interface ChannelDeps {
  readonly spec: IndexSpec;
  readonly incr: IncrConfig;
  readonly catalog: Catalog;
  readonly analyzers: AnalyzerRegistry;
  /** A new consumer each call: the live loop and a catch-up run side by side. */
  readonly openStream: (onStatus?: (s: TransportStatus) => void) => ChangeStream;
  /** Worker threads for analysing changed rows; without it rows are analysed on this thread. */
  readonly analysis?: BulkAnalysis;
  readonly observer?: ChannelObserver;
}

const LOG_LINES = 200;
const COMMIT_EVERY_MS = 2000;
/** A transaction takes the batches that are ready, up to this many events (one commit per fetch or more). */
const MAX_TX_EVENTS = 20_000;
/** Batches stop being taken in while this many decoded events wait to be written. */
const MAX_QUEUED_EVENTS = 40_000;
/** Rows per analysis job: enough to pay for the message to the worker, few enough to spread over the pool. */
const MIN_JOB_ROWS = 64;
const MAX_JOB_ROWS = 1000;

interface PreparedRow {
  readonly item: RowItem;
  readonly m: RawMessage;
  /** First time this channel sees the message: it counts in status (a catch-up re-reading what the live channel applied does not). */
  readonly counts: boolean;
}

/** A decoded batch waiting to be written: its rows, the analysis of their new images, and its positions. */
interface Prepared {
  readonly rows: readonly PreparedRow[];
  readonly rejected: number;
  readonly ignored: number;
  readonly events: number;
  readonly tokens: Promise<ReadonlyMap<RowItem, readonly string[]> | null>;
  ready: boolean;
  readonly positions: readonly StreamPosition[];
}

/** Counts per second over the last minute. */
class MinuteCounter {
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

export class Channel {
  readonly #d: ChannelDeps;
  readonly #ops: ChangeOps;
  readonly #decoder: Decoder;
  #writer: GenerationWriter | undefined;
  #abort: AbortController | undefined;
  #done: Promise<void> | undefined;
  #state: ChannelRunState = 'stopped';
  #reason: string | null = null;
  readonly #minute = new MinuteCounter();
  readonly #logs: string[] = [];
  #applied = 0;
  #skipped = 0;
  #ignored = 0;
  #rejected = 0;
  #lastCommitTs: bigint | null = null;
  #lastWatermark: bigint | null = null;
  #ends: Record<string, string> = {};
  /** Highest offset this channel has taken in per partition (live or catch-up): what counts in status once. */
  readonly #seen = new Map<string, bigint>();

  constructor(d: ChannelDeps) {
    this.#d = d;
    this.#ops = new ChangeOps(d.spec, d.analyzers);
    const schema = tableSchemaOf(d.spec);
    this.#decoder = createDecoder(d.incr.protocol, {
      tableSchema: (db, table) => (db.toLowerCase() === schema.db.toLowerCase() && table.toLowerCase() === schema.table.toLowerCase() ? schema : undefined),
      timeZoneOffsetMinutes: parseUtcOffset(d.incr.timeZone),
    });
  }

  get name(): string {
    return this.#d.spec.name;
  }

  get running(): boolean {
    return this.#done !== undefined;
  }

  log(line: string): void {
    this.#logs.push(`${new Date().toISOString()} ${line}`);
    if (this.#logs.length > LOG_LINES) this.#logs.splice(0, this.#logs.length - LOG_LINES);
  }

  #setState(state: ChannelRunState, reason: string | null = null): void {
    this.#state = state;
    this.#reason = reason;
    this.log(`state ${state}${reason ? `: ${reason}` : ''}`);
    this.#d.observer?.state({ index: this.name, state, ...(reason ? { reason } : {}) });
  }

  status(): ChannelStatus {
    const now = Date.now();
    return {
      state: this.#state,
      reason: this.#reason,
      positions: this.#writer?.db.open ? this.#writer.positions() : [],
      endOffsets: { ...this.#ends },
      last60Sec: this.#minute.total(now),
      applied: this.#applied,
      skipped: this.#skipped,
      ignored: this.#ignored,
      rejected: this.#rejected,
      lagMs: this.#lastCommitTs === null ? null : now - tsoToMillis(this.#lastCommitTs),
      watermarkLagMs: this.#lastWatermark === null ? null : now - tsoToMillis(this.#lastWatermark),
      lastCommitTs: this.#lastCommitTs?.toString() ?? null,
      lastWatermarkTs: this.#lastWatermark?.toString() ?? null,
      protocol: this.#decoder.protocol,
      logs: [...this.#logs],
    };
  }

  /** Starts consuming into the generation `file` from the positions stored in it. */
  start(file: string): void {
    if (this.#done) throw new Error(`channel ${this.name} already running`);
    this.#writer = new GenerationWriter(file, this.#d.spec);
    const writer = this.#writer;
    const abort = new AbortController();
    this.#abort = abort;
    this.#setState('starting');
    this.#done = this.#consume(writer, abort.signal, null)
      .then(() => {
        if (this.#state !== 'failed') this.#setState('stopped');
      })
      .catch((e) => {
        const err = asTidesearchError(e);
        this.#setState('failed', err.message);
        this.#d.catalog.setChannelState(this.name, 'failed', err.message);
      })
      .finally(() => {
        this.#done = undefined;
      });
  }

  /** Stops consuming (after the batch in hand) and closes the writer. */
  async stop(): Promise<void> {
    this.#abort?.abort('channel stopped');
    await this.#done;
    this.#writer?.close();
    this.#writer = undefined;
  }

  /**
   * Consumes into `writer` until `until` says every partition has reached its target (catch-up of a new
   * generation), or until the signal aborts (the live channel). Messages at or beyond a target offset are
   * left for the channel that continues after the swap.
   */
  async catchUp(writer: GenerationWriter, target: readonly StreamPosition[], signal: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (reached(writer.positions(), target)) return;
      await this.#consume(writer, stop.signal, { target, done: () => stop.abort('caught up') });
      signal.throwIfAborted();
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async #consume(writer: GenerationWriter, signal: AbortSignal, catchUp: { target: readonly StreamPosition[]; done: () => void } | null): Promise<void> {
    // The live loop shows broker trouble in its state (retrying, with the reason) instead of stalling quietly.
    const stream = this.#d.openStream(
      catchUp
        ? undefined
        : (st) => {
            if (st.state === 'retrying') this.#setState('retrying', `${st.reason} (attempt ${st.attempt}, next in ${st.delayMs} ms)`);
            else if (st.state === 'running' && (this.#state === 'retrying' || this.#state === 'starting')) this.#setState('running');
          },
    );
    try {
      await this.#consumeFrom(stream, writer, signal, catchUp);
    } finally {
      await stream.close().catch(() => {});
    }
  }

  async #consumeFrom(stream: ChangeStream, writer: GenerationWriter, signal: AbortSignal, catchUp: { target: readonly StreamPosition[]; done: () => void } | null): Promise<void> {
    const rule = versionRule(writer.snapshotTs());
    const live = !catchUp;
    let lastCommit = 0;
    const from = writer.positions();
    const limits = new Map(catchUp?.target.map((p) => [`${p.topic}-${p.partition}`, BigInt(p.offset)]) ?? []);
    // Batches are pipelined: each is decoded as it arrives and its new row images go to the analysis pool;
    // one writer loop takes the batches in arrival order and writes all that are ready in one transaction
    // (documents and every partition's position together). A write failure stops the stream.
    const queue: Prepared[] = [];
    let queued = 0;
    let failure: { error: unknown } | undefined;
    let writing: Promise<void> | undefined;
    let wake: (() => void) | undefined;
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) stop.abort(signal.reason);
    const writeLoop = async (): Promise<void> => {
      while (queue.length) {
        await queue[0]!.tokens;
        const take = [queue.shift()!];
        let events = take[0]!.events;
        while (queue.length && queue[0]!.ready && events + queue[0]!.events <= MAX_TX_EVENTS) {
          events += queue[0]!.events;
          take.push(queue.shift()!);
        }
        this.#write(writer, take, await Promise.all(take.map((p) => p.tokens)), rule);
        queued -= events;
        wake?.();
        if (catchUp && reached(writer.positions(), catchUp.target)) catchUp.done();
        // Let I/O (fetch responses, status and search requests) in between transactions.
        if (queue.length) await new Promise<void>((r) => setImmediate(r));
      }
    };
    const startWriting = (): void => {
      writing ??= writeLoop()
        .catch((error: unknown) => {
          failure ??= { error };
          stop.abort('write failed');
        })
        .finally(() => {
          writing = undefined;
          wake?.();
          if (queue.length && !failure) startWriting();
        });
    };
    try {
      await stream.run({
        from,
        reset: this.#d.incr.offsetResetStrategy,
        signal: stop.signal,
        onBatch: async (b: ChangeBatch) => {
          if (failure) throw failure.error;
          if (live && this.#state !== 'running') this.#setState('running');
          let beyond = false;
          const parts: { partition: number; messages: readonly RawMessage[] }[] = [];
          for (const p of b.partitions) {
            this.#ends[`${b.topic}-${p.partition}`] = p.highWatermark;
            const limit = limits.get(`${b.topic}-${p.partition}`);
            const messages = limit === undefined ? p.messages : p.messages.filter((m) => BigInt(m.offset) < limit);
            if (messages.length < p.messages.length) beyond = true;
            if (messages.length) parts.push({ partition: p.partition, messages });
          }
          if (parts.length) {
            const prepared = this.#prepare(b.topic, parts);
            queue.push(prepared);
            queued += prepared.events;
            startWriting();
          } else if (catchUp && beyond) {
            // Only messages past the target: once what is queued is written, the target may be reached.
            while (writing) await writing;
            if (reached(writer.positions(), catchUp.target)) catchUp.done();
          }
          while (queued > MAX_QUEUED_EVENTS && writing) await new Promise<void>((r) => (wake = r));
          if (live && Date.now() - lastCommit > COMMIT_EVERY_MS) {
            lastCommit = Date.now();
            stream.commit(writer.positions()).catch((e) => this.log(`offset commit to the consumer group failed (visibility only): ${String(e)}`));
          }
        },
      });
    } catch (e) {
      failure ??= { error: e };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    // What was taken in is written before the stream's end is reported (a stop writes the batches in hand).
    while (writing) await writing;
    if (failure) throw failure.error;
  }

  /** Decodes a batch and starts analysing its new row images on the worker pool (in jobs spread over it). */
  #prepare(topic: string, parts: readonly { partition: number; messages: readonly RawMessage[] }[]): Prepared {
    const rows: PreparedRow[] = [];
    let rejected = 0;
    let ignored = 0;
    let events = 0;
    const positions: StreamPosition[] = [];
    for (const { partition, messages } of parts) {
      const key = `${topic}-${partition}`;
      const seenUpTo = this.#seen.get(key) ?? -1n;
      for (const m of messages) {
        events++;
        const offset = BigInt(m.offset);
        const counts = offset > seenUpTo;
        let items: StreamItem[];
        try {
          items = this.#decoder.decode(m);
        } catch (e) {
          if (counts) {
            rejected++;
            this.#deadLetter(m, asTidesearchError(e).message);
          }
          continue;
        }
        for (const item of items) {
          switch (item.kind) {
            case 'row':
              if (this.#ops.matches(item)) rows.push({ item, m, counts });
              else if (counts) ignored++;
              break;
            case 'resolved':
              if (counts && (this.#lastWatermark === null || item.commitTs > this.#lastWatermark)) this.#lastWatermark = item.commitTs;
              break;
            case 'ddl':
              if (counts) this.#recordDdl(item);
              break;
            case 'ignored':
              if (counts) ignored++;
              break;
          }
        }
      }
      const last = BigInt(messages[messages.length - 1]!.offset);
      if (last > seenUpTo) this.#seen.set(key, last);
      positions.push({ topic, partition, offset: (last + 1n).toString() });
    }
    // New images to analyse; an update whose full-text texts are unchanged is not sent (the writer keeps the
    // stored tokens; should they differ from the event's before image after all, it analyses on this thread).
    const upserts = rows.filter((r) => r.item.op !== 'delete' && r.item.after && !(r.item.op === 'update' && r.item.before && this.#ops.sameFtsTexts(r.item.before, r.item.after)));
    const width = this.#ops.ftsTokenNames.length;
    const analysis = this.#d.analysis;
    let tokens: Promise<ReadonlyMap<RowItem, readonly string[]> | null> = Promise.resolve(null);
    if (analysis && upserts.length && width) {
      const threads = Math.max(1, analysis.size ?? 2);
      const jobs = Math.max(1, Math.min(Math.ceil(upserts.length / MIN_JOB_ROWS), Math.max(threads, Math.ceil(upserts.length / MAX_JOB_ROWS))));
      const per = Math.ceil(upserts.length / jobs);
      const names = this.#ops.ftsTokenNames;
      const parts: Promise<string[]>[] = [];
      for (let i = 0; i < upserts.length; i += per) {
        parts.push(analysis.analyze({ tokens: names, texts: upserts.slice(i, i + per).flatMap((r) => this.#ops.ftsTexts(r.item.after!)) }));
      }
      tokens = Promise.all(parts).then((outs) => {
        const byItem = new Map<RowItem, readonly string[]>();
        let k = 0;
        for (const out of outs) for (let j = 0; j < out.length; j += width) byItem.set(upserts[k++]!.item, out.slice(j, j + width));
        return byItem;
      });
    }
    const prepared: Prepared = { rows, rejected, ignored, events, tokens, ready: false, positions };
    tokens.then(
      () => (prepared.ready = true),
      () => {},
    );
    return prepared;
  }

  /** Applies prepared batches and their stream positions in one transaction, and updates the counters. */
  #write(writer: GenerationWriter, batches: readonly Prepared[], tokens: readonly (ReadonlyMap<RowItem, readonly string[]> | null)[], rule: ReturnType<typeof versionRule>): void {
    let rejected = 0;
    let ignored = 0;
    let newestCommit: bigint | null = null;
    const ops: DocOp[] = [];
    /** Per counted row: the range of its ops (a key change is two). */
    const counted: { from: number; to: number; commitTs: bigint }[] = [];
    const positions = new Map<string, StreamPosition>();
    batches.forEach((p, b) => {
      rejected += p.rejected;
      ignored += p.ignored;
      for (const pos of p.positions) positions.set(`${pos.topic}-${pos.partition}`, pos);
      for (const { item, m, counts } of p.rows) {
        const from = ops.length;
        try {
          ops.push(...this.#ops.toOps(item, tokens[b]?.get(item)));
        } catch (e) {
          if (counts) {
            rejected++;
            this.#deadLetter(m, `row change not applicable: ${asTidesearchError(e).message}`);
          }
          continue;
        }
        if (counts) counted.push({ from, to: ops.length, commitTs: item.commitTs });
      }
    });
    const r = writer.apply(ops, [...positions.values()], rule);
    let applied = 0;
    let skipped = 0;
    for (const c of counted) {
      let any = false;
      for (let k = c.from; k < c.to; k++) if (r.outcome[k]) any = true;
      if (any) applied++;
      else skipped++;
      if (newestCommit === null || c.commitTs > newestCommit) newestCommit = c.commitTs;
    }
    if (!counted.length && !rejected && !ignored) return;
    this.#applied += applied;
    this.#skipped += skipped;
    this.#ignored += ignored;
    this.#rejected += rejected;
    this.#minute.add(applied);
    if (newestCommit !== null && (this.#lastCommitTs === null || newestCommit > this.#lastCommitTs)) this.#lastCommitTs = newestCommit;
    const lagMs = this.#lastCommitTs === null ? null : Date.now() - tsoToMillis(this.#lastCommitTs);
    this.#d.observer?.applied({ index: this.name, events: applied, skipped, rejected, lagMs, positions: [...positions.values()] });
  }

  #deadLetter(m: RawMessage, reason: string): void {
    const count = this.#d.catalog.addDeadLetter(this.name, { topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, reason });
    this.log(`dead letter ${m.topic}-${m.partition}@${m.offset}: ${reason}`);
    const limit = this.#d.incr.deadLetterLimit;
    if (limit > 0 && count >= limit) {
      throw new Error(`stopped: ${count} undecodable messages reached deadLetterLimit ${limit}; last at ${m.topic}-${m.partition}@${m.offset}: ${reason}`);
    }
  }

  #recordDdl(item: Extract<StreamItem, { kind: 'ddl' }>): void {
    const ours = item.db.toLowerCase() === this.#d.spec.db.toLowerCase() && (item.table === '' || item.table.toLowerCase() === this.#d.spec.table.toLowerCase());
    if (!ours) return;
    const affects = ddlAffectsIndex(this.#d.spec, item.ddlType, item.query);
    this.#d.catalog.addDdl(this.name, { commitTs: item.commitTs, ddlType: item.ddlType, query: item.query, affectsIndex: affects });
    this.log(`DDL at ${item.commitTs}: ${item.query}${affects ? ' — affects the index: rebuild needed' : ''}`);
    if (affects) this.#d.catalog.markRebuildNeeded(this.name, `DDL at commitTs ${item.commitTs}: ${item.query}`);
  }
}

/** Has `pos` reached `target` on every partition of target? */
export function reached(pos: readonly StreamPosition[], target: readonly StreamPosition[]): boolean {
  const at = new Map(pos.map((p) => [`${p.topic}-${p.partition}`, BigInt(p.offset)]));
  return target.every((t) => (at.get(`${t.topic}-${t.partition}`) ?? -1n) >= BigInt(t.offset));
}
