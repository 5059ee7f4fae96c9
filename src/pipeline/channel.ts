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
const PIPELINE_DEPTH = 3;

interface Prepared {
  readonly rows: readonly { readonly item: RowItem; readonly m: RawMessage }[];
  readonly rejected: number;
  readonly ignored: number;
  readonly tokens: Promise<ReadonlyMap<RowItem, readonly string[]> | null>;
  readonly position: StreamPosition;
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
  #lastCommitAt = 0;
  #ends: Record<string, string> = {};

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
      lagMs: this.#lastCommitTs === null ? null : Math.max(0, now - tsoToMillis(this.#lastCommitTs)),
      watermarkLagMs: this.#lastWatermark === null ? null : Math.max(0, now - tsoToMillis(this.#lastWatermark)),
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
    // Batches are pipelined: while batch k is written on this thread, batch k+1 is analysed by the worker
    // pool. Writes stay in arrival order (one chain), and at most PIPELINE_DEPTH batches are in flight.
    let tail: Promise<void> = Promise.resolve();
    const inflight: Promise<void>[] = [];
    await stream.run({
      from,
      reset: this.#d.incr.offsetResetStrategy,
      signal,
      onBatch: async (b: ChangeBatch) => {
        if (live && this.#state !== 'running') this.#setState('running');
        this.#ends[`${b.topic}-${b.partition}`] = b.highWatermark;
        const limit = limits.get(`${b.topic}-${b.partition}`);
        const messages = limit === undefined ? b.messages : b.messages.filter((m) => BigInt(m.offset) < limit);
        if (catchUp && limit !== undefined && messages.length === 0 && b.messages.length) {
          await tail;
          if (reached(writer.positions(), catchUp.target)) catchUp.done();
          return;
        }
        if (!messages.length) return;
        const prepared = this.#prepare(messages, live);
        const step = tail.then(async () => {
          this.#write(writer, prepared, await prepared.tokens, rule, live);
          if (catchUp && reached(writer.positions(), catchUp.target)) catchUp.done();
        });
        step.catch(() => {}); // awaited below; this only marks it handled while it waits in the queue
        tail = step;
        inflight.push(step);
        if (inflight.length >= PIPELINE_DEPTH) await inflight.shift();
        if (live && Date.now() - lastCommit > COMMIT_EVERY_MS) {
          lastCommit = Date.now();
          await stream.commit(writer.positions()).catch((e) => this.log(`offset commit to the consumer group failed (visibility only): ${String(e)}`));
        }
      },
    });
    await Promise.all(inflight);
  }

  /** Decodes a batch and starts analysing its new row images (one job on the worker pool). */
  #prepare(messages: readonly RawMessage[], live: boolean): Prepared {
    const rows: { item: RowItem; m: RawMessage }[] = [];
    let rejected = 0;
    let ignored = 0;
    for (const m of messages) {
      let items: StreamItem[];
      try {
        items = this.#decoder.decode(m);
      } catch (e) {
        rejected++;
        if (live) this.#deadLetter(m, asTidesearchError(e).message);
        continue;
      }
      for (const item of items) {
        switch (item.kind) {
          case 'row':
            if (this.#ops.matches(item)) rows.push({ item, m });
            else ignored++;
            break;
          case 'resolved':
            if (live && (this.#lastWatermark === null || item.commitTs > this.#lastWatermark)) this.#lastWatermark = item.commitTs;
            break;
          case 'ddl':
            if (live) this.#recordDdl(item);
            break;
          case 'ignored':
            ignored++;
            break;
        }
      }
    }
    const upserts = rows.filter((r) => r.item.op !== 'delete' && r.item.after);
    const width = this.#ops.ftsTokenNames.length;
    const tokens: Promise<ReadonlyMap<RowItem, readonly string[]> | null> =
      this.#d.analysis && upserts.length && width
        ? this.#d.analysis.analyze({ tokens: this.#ops.ftsTokenNames, texts: upserts.flatMap((r) => this.#ops.ftsTexts(r.item.after!)) }).then((out) => {
            const byItem = new Map<RowItem, readonly string[]>();
            upserts.forEach((r, k) => byItem.set(r.item, out.slice(k * width, k * width + width)));
            return byItem;
          })
        : Promise.resolve(null);
    const last = messages[messages.length - 1]!;
    const position = { topic: last.topic, partition: last.partition, offset: (BigInt(last.offset) + 1n).toString() };
    return { rows, rejected, ignored, tokens, position };
  }

  /** Applies a prepared batch and its stream position in one transaction, and updates the counters. */
  #write(writer: GenerationWriter, p: Prepared, tokens: ReadonlyMap<RowItem, readonly string[]> | null, rule: ReturnType<typeof versionRule>, live: boolean): void {
    let rejected = p.rejected;
    let newestCommit: bigint | null = null;
    const ops: DocOp[] = [];
    for (const { item, m } of p.rows) {
      try {
        const pre = tokens?.get(item);
        ops.push(...(pre ? this.#ops.toOps(item, () => pre) : this.#ops.toOps(item)));
        if (newestCommit === null || item.commitTs > newestCommit) newestCommit = item.commitTs;
      } catch (e) {
        rejected++;
        if (live) this.#deadLetter(m, `row change not applicable: ${asTidesearchError(e).message}`);
      }
    }
    const r = writer.apply(ops, [p.position], rule);
    if (!live) return;
    this.#applied += r.applied;
    this.#skipped += r.skipped;
    this.#ignored += p.ignored;
    this.#rejected += rejected;
    this.#minute.add(r.applied);
    if (newestCommit !== null) this.#lastCommitTs = newestCommit;
    const lagMs = this.#lastCommitTs === null ? null : Math.max(0, Date.now() - tsoToMillis(this.#lastCommitTs));
    this.#d.observer?.applied({ index: this.name, events: r.applied, skipped: r.skipped, rejected, lagMs, positions: [p.position] });
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
