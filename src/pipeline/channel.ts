// One incremental channel at run time: consumes the change stream into one generation through the writer,
// one SQLite transaction per group of fetched batches (documents, tombstones and positions together), keeping
// the counters that status and metrics show. Decoding and analysis run on the channel workers, writing on the
// generation's writer (channel-writer.ts: in the server, a thread of its own). A message that cannot be decoded
// is dead-lettered and the channel goes on, until the configured limit stops it with a reason. Over 400 lines:
// the consume loop, its write pipeline and the counters share the channel's state (the parts that need none live
// in channel-prepare.ts and channel-transaction.ts).
import type { RawMessage, StreamItem, StreamPosition } from '../core/change.js';
import type { IndexSpec } from '../core/schema.js';
import { tsoToMillis } from '../core/tso.js';
import type { ChangeStream, ChangeBatch, TransportStatus } from '../stream/change-stream.js';
import type { AnalyzerRegistry } from '../engine/analysis/analyzer.js';
import { GenerationWriter, type ApplyResult } from '../engine/store/writer.js';
import { writerOnThisThread, type ChannelWriter } from './channel-writer.js';
import type { Catalog } from '../catalog/catalog.js';
import { asTidesearchError } from '../errors/index.js';
import { ChangeOps, ddlAffectsIndex } from './change-ops.js';
import { MessagePreparer, type PrepareConfig, type PreparedMessages } from './channel-prepare.js';
import type { ChannelWorkers } from './channel-workers.js';
import { gatherTransaction, upsertsToAnalyse, type ChannelTransaction, type TakenBatch } from './channel-transaction.js';
import { MinuteCounter, type ChannelRunState, type ChannelStatus } from './channel-status.js';
import type { IncrConfig } from './requests.js';

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
  /** Threads that decode and analyse the messages; without them both happen on this thread. */
  readonly workers?: ChannelWorkers;
  /** Opens a generation's writer (channel-writer.ts); without it, writers work on this thread. */
  readonly openWriter?: OpenWriter;
  readonly observer?: ChannelObserver;
}

/** `durable: false` for a catch-up's generation (GenerationWriter's constructor says what that means). */
export type OpenWriter = (file: string, spec: IndexSpec, options: { readonly durable: boolean }) => Promise<ChannelWriter>;

const LOG_LINES = 200;
const COMMIT_EVERY_MS = 2000;
/** A transaction takes the batches that are ready, up to this many events (one commit per fetch or more). */
const MAX_TX_EVENTS = 20_000;
/**
 * A transaction waits for the batches queued behind it until it holds this many events. Measured in process
 * (bench:incr's mix, 2k-row table): 17 µs per event in transactions of 1000, 7.5 in transactions of 5000.
 */
const MIN_TX_EVENTS = 5000;
/**
 * The same for a new generation's catch-up, which nobody searches until the swap: only the rate matters, and each
 * commit also flushes FTS5's pending terms as a segment and merges. A 62k-event backlog (bench:incr --partitions
 * 24, A/B alternating, four pairs): 51-73k events/s in transactions of at least 20k against 39-48k at 5k, the
 * server's peak RSS alike (373-413 vs 377-398 MiB).
 */
const MIN_CATCH_UP_TX_EVENTS = MAX_TX_EVENTS;
/** Batches stop being taken in while this many events wait to be written. */
const MAX_QUEUED_EVENTS = 40_000;
/** Messages (rows) per worker job: enough to pay for the hop to the worker, few enough to spread over the pool. */
const MIN_JOB_MESSAGES = 64;
const MAX_JOB_MESSAGES = 1000;
const MIN_JOB_ROWS = 32;
const MAX_JOB_ROWS = 500;

/** A fetched batch on its way to the writer: its messages, and their preparation (decoding, analysis). */
interface Prepared {
  readonly messages: readonly RawMessage[];
  /** Per message: first time this channel sees it, so it counts in status (a catch-up re-reading what the live channel applied does not). */
  readonly counts: readonly boolean[];
  /** Runs of consecutive messages, each prepared as one job: [index of its first message, its result]. */
  readonly jobs: Promise<readonly (readonly [number, PreparedMessages])[]>;
  ready: boolean;
  readonly positions: readonly StreamPosition[];
}

export class Channel {
  readonly #d: ChannelDeps;
  readonly #ops: ChangeOps;
  /** Prepares messages on this thread when there are no workers; also names the protocol until a job does. */
  readonly #preparer: MessagePreparer;
  readonly #prepareConfig: PrepareConfig;
  readonly #prepareKey: string;
  #protocol: string;
  #writer: ChannelWriter | undefined;
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
    [this.#prepareKey, this.#prepareConfig] = prepareConfigOf(d.spec, d.incr);
    this.#preparer = new MessagePreparer(this.#prepareConfig, d.analyzers);
    this.#protocol = this.#preparer.protocol;
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
      positions: this.#writer?.positions() ?? [],
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
      protocol: this.#protocol,
      logs: [...this.#logs],
    };
  }

  /** Opens the generation `file`'s writer (on its own thread when the server gave the channel threads). */
  openWriter(file: string, options: { readonly durable: boolean } = { durable: true }): Promise<ChannelWriter> {
    if (this.#d.openWriter) return this.#d.openWriter(file, this.#d.spec, options);
    return Promise.resolve(writerOnThisThread(new GenerationWriter(file, this.#d.spec, options), this.#ops));
  }

  /** Starts consuming into the generation `file` from the positions stored in it. */
  start(file: string): void {
    if (this.#done) throw new Error(`channel ${this.name} already running`);
    this.#d.workers?.warm(this.#prepareKey, this.#prepareConfig);
    const abort = new AbortController();
    this.#abort = abort;
    this.#setState('starting');
    this.#done = this.openWriter(file)
      .then((writer) => {
        this.#writer = writer;
        return this.#consume(writer, abort.signal, null);
      })
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
    const writer = this.#writer;
    this.#writer = undefined;
    await writer?.close();
  }

  /**
   * Consumes into `writer` until `until` says every partition has reached its target (catch-up of a new
   * generation), or until the signal aborts (the live channel). Messages at or beyond a target offset are
   * left for the channel that continues after the swap.
   */
  async catchUp(writer: ChannelWriter, target: readonly StreamPosition[], signal: AbortSignal): Promise<void> {
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

  async #consume(writer: ChannelWriter, signal: AbortSignal, catchUp: { target: readonly StreamPosition[]; done: () => void } | null): Promise<void> {
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

  async #consumeFrom(stream: ChangeStream, writer: ChannelWriter, signal: AbortSignal, catchUp: { target: readonly StreamPosition[]; done: () => void } | null): Promise<void> {
    const live = !catchUp;
    const minTx = live ? MIN_TX_EVENTS : MIN_CATCH_UP_TX_EVENTS;
    let lastCommit = 0;
    const from = writer.positions();
    const limits = new Map(catchUp?.target.map((p) => [`${p.topic}-${p.partition}`, BigInt(p.offset)]) ?? []);
    // Batches are pipelined: each is decoded on the workers as it arrives; one writer loop takes the batches in
    // arrival order, gathers those that are ready (at least minTx events when more are coming) into one
    // transaction, has the new images it needs analysed on the workers, and commits it (documents and every
    // partition's position together). A write failure stops the stream.
    const queue: Prepared[] = [];
    let queued = 0;
    let failure: { error: unknown } | undefined;
    let writing: Promise<void> | undefined;
    let wake: (() => void) | undefined;
    /** Called when a batch is queued (the writer loop may be waiting for one). */
    let arrived: (() => void) | undefined;
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) stop.abort(signal.reason);
    // Transactions commit in order. The next is gathered (and its images sent for analysis) while one is written:
    // with the writer on a thread of its own, the workers prepare a transaction while the writer commits the one
    // before (before, a transaction was gathered only after the commit in hand returned, and the writer and the
    // workers took turns). It is handed to the writer as soon as it is analysed and the one before it is handed,
    // not when that one's commit is reported back: the writer commits in call order and starts on it as soon as
    // it is done with the one before, without waiting for this thread to hear of that commit and copy the next
    // one over (a catch-up's transactions of 20k: 148-254 ms between two on the writer thread before, 117-188
    // after, the rest being the copy's deserialization there). At most two are in flight: one being written, one
    // waiting for it.
    /** The last transaction handed to the writer; a failure to hand one over fails every later one. */
    let handing: Promise<unknown> = Promise.resolve();
    /** The last transaction committed and counted. */
    let chain: Promise<void> = Promise.resolve();
    /** Commits not done yet, oldest first (each leaves when it settles). */
    const inFlight = new Set<Promise<void>>();
    const commitInTurn = ({ tx, analysed }: { tx: ChannelTransaction; analysed: Promise<void> }): void => {
      const handed = handing.then(async () => {
        await analysed;
        const applying = writer.apply(tx.ops, tx.positions);
        // The writer has taken the operations (copied them to its thread): they need not stay here through the commit.
        tx.ops.length = 0;
        // Awaited below once the commits before it are counted; handled now, so that a failure meanwhile is not
        // an unhandled rejection.
        applying.catch(() => {});
        return { applying };
      });
      handed.catch(() => {});
      handing = handed;
      const committed = chain.then(async () => {
        this.#count(tx, await (await handed).applying);
        queued -= tx.events;
        wake?.();
        if (catchUp && reached(writer.positions(), catchUp.target)) catchUp.done();
      });
      inFlight.add(committed);
      // A failed commit rejects every later one (nothing is written after it) and stops the stream at once; the
      // loop below ends with it.
      committed.then(
        () => inFlight.delete(committed),
        (error: unknown) => {
          inFlight.delete(committed);
          failure ??= { error };
          stop.abort('write failed');
        },
      );
      chain = committed;
    };
    /** Resolves when a batch is queued or every commit in flight is done, whichever comes first. */
    const batchOrIdle = async (): Promise<void> => {
      const idle = chain.then(
        () => {},
        () => {},
      );
      await Promise.race([idle, new Promise<void>((r) => (arrived = r))]);
      arrived = undefined;
    };
    const writeLoop = async (): Promise<void> => {
      try {
        for (;;) {
          if (!queue.length) {
            // Nothing to gather: wait for the commits in flight, or for a batch to gather meanwhile.
            await batchOrIdle();
            if (!queue.length) return;
          }
          await queue[0]!.jobs;
          const take = [queue.shift()!];
          let events = take[0]!.messages.length;
          // Batches being prepared behind a small transaction are waited for: they are due as soon, and one
          // transaction's fixed cost (writing out every page it dirtied) is then paid once for all of them. In a
          // catch-up, so are batches still to come while the writer is busy anyway (the fetch waits while
          // MAX_QUEUED_EVENTS are in hand, and resumes as a commit lands: transactions of 1,000 were made there).
          // The live channel gathers what it has at once, so that its analysis is done by the time the writer is.
          for (;;) {
            while (queue.length && events + queue[0]!.messages.length <= MAX_TX_EVENTS) {
              if (!queue[0]!.ready) {
                if (events >= minTx) break;
                await queue[0]!.jobs;
              }
              events += queue[0]!.messages.length;
              take.push(queue.shift()!);
            }
            if (live || events >= minTx || queue.length || inFlight.size === 0) break;
            await batchOrIdle();
            if (!queue.length) break;
          }
          const results = await Promise.all(take.map((p) => p.jobs));
          while (inFlight.size >= 2) await inFlight.values().next().value;
          commitInTurn(this.#gather(take.map((p, i) => ({ ...p, results: results[i]! }))));
          // Let I/O (fetch responses, status and search requests) in between transactions.
          if (queue.length) await new Promise<void>((r) => setImmediate(r));
        }
      } finally {
        // What was gathered is written (also when gathering the next failed), before the loop ends.
        await chain;
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
            queued += prepared.messages.length;
            arrived?.();
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

  /**
   * Takes a batch in: which messages count in status, the positions it reaches, and its preparation started
   * (on the workers, in jobs of consecutive messages spread over them; else here, now).
   */
  #prepare(topic: string, parts: readonly { partition: number; messages: readonly RawMessage[] }[]): Prepared {
    const messages: RawMessage[] = [];
    const counts: boolean[] = [];
    const positions: StreamPosition[] = [];
    for (const { partition, messages: ms } of parts) {
      const key = `${topic}-${partition}`;
      const seenUpTo = this.#seen.get(key) ?? -1n;
      for (const m of ms) {
        messages.push(m);
        counts.push(BigInt(m.offset) > seenUpTo);
      }
      const last = BigInt(ms[ms.length - 1]!.offset);
      if (last > seenUpTo) this.#seen.set(key, last);
      positions.push({ topic, partition, offset: (last + 1n).toString() });
    }
    const workers = this.#d.workers;
    let jobs: Prepared['jobs'];
    if (!workers) jobs = Promise.resolve([[0, this.#preparer.prepare(messages)] as const]);
    else {
      const n = messages.length;
      const count = Math.max(1, Math.min(Math.ceil(n / MIN_JOB_MESSAGES), Math.max(workers.size, Math.ceil(n / MAX_JOB_MESSAGES))));
      const per = Math.ceil(n / count);
      const runs: Promise<readonly [number, PreparedMessages]>[] = [];
      for (let at = 0; at < n; at += per) runs.push(workers.prepare(this.#prepareKey, this.#prepareConfig, messages.slice(at, at + per)).then((r) => [at, r] as const));
      jobs = Promise.all(runs);
    }
    const prepared: Prepared = { messages, counts, jobs, ready: false, positions };
    jobs.then(
      () => (prepared.ready = true),
      () => {},
    );
    return prepared;
  }

  /**
   * Gathers a transaction from prepared batches: counts what does not reach the index (dead letters, DDL,
   * watermarks, other tables) and starts analysing the new images the writer will want, on the workers.
   */
  #gather(batches: readonly TakenBatch[]): { tx: ChannelTransaction; analysed: Promise<void> } {
    const tx = gatherTransaction(batches);
    if (tx.protocol !== null) this.#protocol = tx.protocol;
    for (const r of tx.rejected) this.#deadLetter(r.m, r.reason);
    for (const d of tx.ddl) this.#recordDdl(d);
    if (tx.newestWatermark !== null && (this.#lastWatermark === null || tx.newestWatermark > this.#lastWatermark)) this.#lastWatermark = tx.newestWatermark;
    const workers = this.#d.workers;
    const upserts = workers && this.#ops.ftsTokenNames.length ? upsertsToAnalyse(tx.ops) : [];
    if (!workers || upserts.length === 0) return { tx, analysed: Promise.resolve() };
    const width = this.#ops.ftsTokenNames.length;
    const count = Math.max(1, Math.min(Math.ceil(upserts.length / MIN_JOB_ROWS), Math.max(workers.size, Math.ceil(upserts.length / MAX_JOB_ROWS))));
    const per = Math.ceil(upserts.length / count);
    const jobs: Promise<void>[] = [];
    for (let at = 0; at < upserts.length; at += per) {
      const rows = upserts.slice(at, at + per);
      jobs.push(
        workers.analyse(this.#prepareKey, this.#prepareConfig, rows.flatMap((op) => this.#ops.ftsTexts(op.values))).then((tokens) => {
          rows.forEach((op, i) => (op.tokens = tokens.slice(i * width, (i + 1) * width)));
        }),
      );
    }
    return { tx, analysed: Promise.all(jobs).then(() => {}) };
  }

  /** Counts a committed transaction's events by the writer's outcome, and reports it. */
  #count(tx: ChannelTransaction, r: ApplyResult): void {
    let applied = 0;
    let skipped = 0;
    let newestCommit: bigint | null = null;
    for (const c of tx.counted) {
      let any = false;
      for (let k = c.from; k < c.to; k++) if (r.outcome[k]) any = true;
      if (any) applied++;
      else skipped++;
      if (newestCommit === null || c.commitTs > newestCommit) newestCommit = c.commitTs;
    }
    const rejected = tx.rejected.length;
    if (!tx.counted.length && !rejected && !tx.ignored) return;
    this.#applied += applied;
    this.#skipped += skipped;
    this.#ignored += tx.ignored;
    this.#rejected += rejected;
    this.#minute.add(applied);
    if (newestCommit !== null && (this.#lastCommitTs === null || newestCommit > this.#lastCommitTs)) this.#lastCommitTs = newestCommit;
    const lagMs = this.#lastCommitTs === null ? null : Date.now() - tsoToMillis(this.#lastCommitTs);
    this.#d.observer?.applied({ index: this.name, events: applied, skipped, rejected, lagMs, positions: tx.positions });
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

/** What a worker needs to prepare a channel's messages, and the name it keeps it under. */
export function prepareConfigOf(spec: IndexSpec, incr: IncrConfig): [string, PrepareConfig] {
  const config: PrepareConfig = { spec, protocol: incr.protocol, timeZone: incr.timeZone };
  return [JSON.stringify(config), config];
}

/** Has `pos` reached `target` on every partition of target? */
export function reached(pos: readonly StreamPosition[], target: readonly StreamPosition[]): boolean {
  const at = new Map(pos.map((p) => [`${p.topic}-${p.partition}`, BigInt(p.offset)]));
  return target.every((t) => (at.get(`${t.topic}-${t.partition}`) ?? -1n) >= BigInt(t.offset));
}
