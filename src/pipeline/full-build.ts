// The full build of one generation, as numbered, logged steps:
//   dump           snapshot S, stream the table into the generation's documents (version = S)
//   join           analyse the full-text fields in worker threads, batch by batch as the dump goes
//   indexBuild     each worker thread writes the tokens of the batches it analysed into its own FTS5 shard;
//                  then the shards are spliced into the generation, merged, and B-tree indexes and top-K built
//   indexBackflow  catch the generation up with changes committed after S (when a channel exists);
//                  the caller swaps it in afterwards.
import type { IndexSpec, TableSchema, TokenName } from '../core/schema.js';
import type { Source } from '../source/source.js';
import type { TaskContext } from '../tasks/runner.js';
import { GenerationBuilder, type TextBatch } from '../engine/store/builder.js';
import type { ShardedIndexer } from '../engine/analysis/index.js';
import { removeShardFiles } from '../engine/store/fts-shard.js';
import { DEFAULT_MIN_DOCS } from '../engine/store/topk-table.js';
import { collectGarbage } from '../engine/full-gc.js';
import { heapGuard } from '../engine/heap-guard.js';

/** Analyses texts in bulk (a worker pool): for each text, its index-mode tokens joined by ' '. */
export interface BulkAnalysis {
  /** Threads the work runs on, when known (callers size their jobs to keep each one busy). */
  readonly size?: number;
  analyze(job: { tokens: TokenName[]; texts: (string | null)[] }): Promise<string[]>;
  /** A full build's indexing into per-thread FTS shards of the generation file `build`. */
  shardedIndexer(build: string, columns: readonly string[]): ShardedIndexer;
}

export interface FullBuildInput {
  readonly spec: IndexSpec;
  readonly schema: TableSchema;
  readonly source: Source;
  readonly analysis: BulkAnalysis;
  readonly file: string;
  readonly batchRows: number;
  readonly parallel: number;
  /** Terms in more than this many documents of a scope get a top-K list; the store's default otherwise. */
  readonly topkMinDocs?: number;
  readonly ctx: TaskContext;
  /** Called just before the snapshot is taken: records the stream positions P0 to catch up from. */
  readonly beforeSnapshot?: () => Promise<void>;
  /** Catches the sealed generation up with the change stream (indexBackflow). */
  readonly backflow?: (file: string, snapshotTs: bigint) => Promise<void>;
}

export interface FullBuildResult {
  readonly snapshotTs: bigint;
  readonly docCount: number;
}

const IN_FLIGHT = 4;
/**
 * Old-generation growth of this (the main) thread that triggers a full collection during the dump. Left to V8,
 * the dump's promoted batches piled up to ~70 MiB between its own collections: 1M rows peaked at 372–376 MiB,
 * against 291 MiB with 16 MiB of headroom (304 with 32) at the same speed; a collection here takes a few ms.
 */
const DUMP_HEADROOM_BYTES = 16 * 1024 * 1024;
const MAX_KEPT_SEGMENTS = 4;

/**
 * Sends batches to the worker threads, which analyse them and write their tokens into their FTS shards; at
 * most IN_FLIGHT batches are outstanding, so memory stays flat whatever the table size.
 */
class Indexer {
  readonly #pending: Promise<void>[] = [];
  #indexed = 0;

  constructor(
    private readonly shards: ShardedIndexer,
    private readonly tokens: TokenName[],
    private readonly report: (rows: number) => void,
  ) {}

  /** Queues a batch; waits while IN_FLIGHT batches are outstanding. */
  async submit(batch: TextBatch): Promise<void> {
    const job = this.shards.add({ tokens: this.tokens, rids: batch.rids, texts: batch.texts }).then(() => {
      this.#indexed += batch.rids.length;
      this.report(this.#indexed);
    });
    job.catch(() => {}); // awaited in submit/drain; this only marks it handled while it waits
    this.#pending.push(job);
    if (this.#pending.length >= IN_FLIGHT) await this.#pending.shift();
  }

  async drain(): Promise<void> {
    while (this.#pending.length) await this.#pending.shift();
  }

  async settle(): Promise<void> {
    await Promise.allSettled(this.#pending);
  }
}

function rate(rows: number, ms: number): string {
  return `${Math.round((rows * 1000) / Math.max(ms, 1)).toLocaleString('en-US')} rows/s`;
}

export async function runFullBuild(i: FullBuildInput): Promise<FullBuildResult> {
  const { ctx, spec } = i;
  const builder = new GenerationBuilder(i.file, spec);
  try {
    // 1. dump
    ctx.stage('dump');
    await i.beforeSnapshot?.();
    const t0 = Date.now();
    await using snapshot = await i.source.openSnapshot(i.schema, { signal: ctx.signal, parallel: i.parallel });
    const S = snapshot.position.snapshotTs;
    builder.setSnapshot(S);
    const binlog = snapshot.position.binlog ? ` binlog ${snapshot.position.binlog.file}:${snapshot.position.binlog.pos}` : '';
    ctx.log(`dump: snapshot S=${S} (${snapshot.position.dialect}${binlog}) from ${i.source.description}`);
    const estimate = await snapshot.estimateRows();
    ctx.log(`dump: about ${estimate} rows in ${spec.db}.${spec.table}, reading ${i.parallel} key ranges in parallel`);
    // 1–3 pipelined: each dumped batch is stored on this thread; its texts go to a worker thread, which
    // analyses them (join) and writes their tokens into its FTS shard (indexBuild), while the dump goes on.
    const tokens = [...builder.ftsTokens] as TokenName[];
    let dumped = 0;
    const shards = i.analysis.shardedIndexer(i.file, builder.ftsColumns);
    const indexer = new Indexer(shards, tokens, (n) => {
      ctx.progress('join', n, Math.max(estimate, dumped));
      ctx.progress('indexBuild', n, Math.max(estimate, dumped));
    });
    const columns = spec.fields.map((f) => f.name);
    // This thread's dead batches (rows, texts) are collected as the analysis threads' are (heap-guard.ts).
    const guard = heapGuard(DUMP_HEADROOM_BYTES);
    try {
      for await (const batch of snapshot.rows({ columns, batchSize: i.batchRows, parallel: i.parallel, signal: ctx.signal })) {
        const texts = builder.insertDocs(batch, S);
        dumped += batch.length;
        ctx.progress('dump', dumped, Math.max(estimate, dumped));
        ctx.signal.throwIfAborted();
        if (tokens.length) await indexer.submit(texts);
        guard.afterJob();
      }
      ctx.progress('dump', dumped, dumped);
      ctx.log(`dump: ${dumped} rows in ${Date.now() - t0} ms (${rate(dumped, Date.now() - t0)})`);
      ctx.stage('join');
      await indexer.drain();
    } catch (e) {
      // Let the jobs in flight settle before the pool is closed under them, and drop the shards.
      await indexer.settle();
      await shards.discard().catch(() => {});
      throw e;
    }
    ctx.progress('join', dumped, dumped);
    ctx.log(`join: analysed ${tokens.length} full-text field(s) [${tokens.join(', ')}] of ${dumped} rows, with the dump, in ${Date.now() - t0} ms (${rate(dumped, Date.now() - t0)})`);

    ctx.stage('indexBuild');
    // The dump's dead rows go before the seal, whose SQLite work and the threads' merges peak together.
    collectGarbage();
    const t1 = Date.now();
    // The threads merge their shards and count their frequent terms (the top-K plan's input) while another
    // builds the documents' B-tree indexes; this one goes on answering requests.
    const minDocs = i.topkMinDocs ?? DEFAULT_MIN_DOCS;
    const finishing = shards.finish(minDocs);
    finishing.catch(() => {}); // awaited below
    await builder.indexFields();
    const tIndexes = Date.now() - t1;
    const { files, counts } = await finishing;
    const t2 = Date.now();
    let segments = 0;
    try {
      const spliced = await builder.spliceShards(files);
      segments = spliced.segments;
      ctx.log(`indexBuild: B-tree indexes in ${tIndexes} ms while the threads merged their FTS shards and counted their terms (${t2 - t1} ms in all); ${spliced.rows} rows of FTS5 index from ${spliced.shards} shard(s) spliced in as ${spliced.segments} segment(s) in ${Math.round(spliced.ms)} ms`);
    } finally {
      for (const f of files) removeShardFiles(f);
    }
    ctx.progress('indexBuild', dumped, dumped);
    const t3 = Date.now();
    // The shards come merged (one segment each). A few segments rank as fast as one (measured at 200k bios:
    // bm25 top 10 of terms in 6k-93k documents, 1 vs 2 segments, equal within 3%), so they are kept as they
    // are, saving a full rewrite of the index (2.3 s at 1M rows); more are merged into one.
    const mergeFts = segments > MAX_KEPT_SEGMENTS;
    const topk = builder.sealPlanned({ minDocs }, counts, mergeFts);
    ctx.progress('indexBuild', dumped, dumped);
    ctx.log(`indexBuild: ${mergeFts ? `FTS5 segments merged into one in ${Date.now() - t3} ms` : `${segments} FTS5 segment(s) kept as spliced`}; ${topk.pending} top-K lists of frequent terms planned (${Math.round(topk.ms)} ms), to be ranked once the generation is live; ${topk.values.stored} frequent exact values counted (${Math.round(topk.values.ms)} ms)`);
    const docCount = builder.docCount();
    builder.close();

    // 4. indexBackflow
    ctx.stage('indexBackflow');
    if (i.backflow) {
      const t3 = Date.now();
      await i.backflow(i.file, S);
      ctx.log(`indexBackflow: caught up with the change stream in ${Date.now() - t3} ms`);
    }
    ctx.progress('indexBackflow', 1, 1);
    return { snapshotTs: S, docCount };
  } finally {
    builder.close();
  }
}
