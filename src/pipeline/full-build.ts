// The full build of one generation, as numbered, logged steps:
//   dump           snapshot S, stream the table into the generation's documents (version = S)
//   join           analyse the full-text fields in worker threads (overlaps with indexBuild)
//   indexBuild     write the tokens into FTS5, build the B-tree indexes, merge segments
//   indexBackflow  catch the generation up with changes committed after S (when a channel exists);
//                  the caller swaps it in afterwards.
import type { IndexSpec, TableSchema, TokenName } from '../core/schema.js';
import type { Source } from '../source/source.js';
import type { TaskContext } from '../tasks/runner.js';
import { GenerationBuilder } from '../engine/store/builder.js';

/** Analyses texts in bulk (a worker pool): for each text, its index-mode tokens joined by ' '. */
export interface BulkAnalysis {
  analyze(job: { tokens: TokenName[]; texts: (string | null)[] }): Promise<string[]>;
}

export interface FullBuildInput {
  readonly spec: IndexSpec;
  readonly schema: TableSchema;
  readonly source: Source;
  readonly analysis: BulkAnalysis;
  readonly file: string;
  readonly batchRows: number;
  readonly parallel: number;
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
    let dumped = 0;
    const columns = spec.fields.map((f) => f.name);
    for await (const batch of snapshot.rows({ columns, batchSize: i.batchRows, parallel: i.parallel, signal: ctx.signal })) {
      builder.insertDocs(batch, S);
      dumped += batch.length;
      ctx.progress('dump', dumped, Math.max(estimate, dumped));
      ctx.signal.throwIfAborted();
    }
    ctx.progress('dump', dumped, dumped);
    ctx.log(`dump: ${dumped} rows in ${Date.now() - t0} ms (${rate(dumped, Date.now() - t0)})`);

    // 2 + 3. join and indexBuild, pipelined: worker threads analyse while this thread writes FTS5.
    ctx.stage('join');
    const t1 = Date.now();
    const tokens = [...builder.ftsTokens] as TokenName[];
    let analysed = 0;
    let indexed = 0;
    const pending: Promise<void>[] = [];
    let writeChain = Promise.resolve();
    try {
      for (const batch of builder.textBatches(i.batchRows)) {
        ctx.signal.throwIfAborted();
        const job = i.analysis.analyze({ tokens, texts: batch.texts as (string | null)[] }).then((out) => {
          analysed += batch.rids.length;
          ctx.progress('join', analysed, dumped);
          writeChain = writeChain.then(() => {
            builder.insertTokens(batch.rids, out);
            indexed += batch.rids.length;
            ctx.progress('indexBuild', indexed, dumped);
          });
          return writeChain;
        });
        pending.push(job);
        if (pending.length >= IN_FLIGHT) await pending.shift();
      }
      await Promise.all(pending);
    } catch (e) {
      // Let the jobs in flight settle before the pool is closed under them.
      await Promise.allSettled(pending);
      throw e;
    }
    ctx.progress('join', dumped, dumped);
    ctx.log(`join: analysed ${tokens.length} full-text field(s) [${tokens.join(', ')}] of ${dumped} rows in ${Date.now() - t1} ms (${rate(dumped, Date.now() - t1)})`);

    ctx.stage('indexBuild');
    const t2 = Date.now();
    const topk = builder.seal();
    ctx.progress('indexBuild', dumped, dumped);
    ctx.log(`indexBuild: B-tree indexes, FTS5 merge and top-K of ${topk.entries} frequent term entries (${topk.ms} ms) in ${Date.now() - t2} ms`);
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
