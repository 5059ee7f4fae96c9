// One analysis worker thread: builds its own analyzer registry and answers batches with the index-mode tokens
// of each text joined by spaces. During a full build it also writes its batches' tokens into its own FTS shard
// (store/fts-shard.ts), and at the end ranks top-K lists of the sealed generation.
import os from 'node:os';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { collectGarbage } from '../full-gc.js';
import { heapGuard } from '../heap-guard.js';
import { createAnalyzers } from './registry.js';
import { openGenerationFile } from '../store/generation-file.js';
import { frequentTermCounts, rankTopK, termCounts } from '../store/topk-table.js';
import { FtsShardWriter } from '../store/fts-shard.js';
import { packTexts, unpackTexts, type AnalyzeRequest, type ShardCountsRequest, type ShardEndRequest, type ShardRequest, type TopKRequest, type WorkerInit, type WorkerRequest, type WorkerResponse } from './pool-protocol.js';

const port = parentPort;
if (port === null) throw new Error('analysis-worker must run as a worker thread');
const init = workerData as WorkerInit;
const registry = createAnalyzers({ userDictPath: init.userDictPath, stopWordsPath: init.stopWordsPath });

// A full collection runs when a job leaves the old generation fuller than the headroom allows (heap-guard.ts);
// the pool caps this thread's young generation.
const collect = collectGarbage;
const guard = heapGuard();

function tokensOf(req: Pick<AnalyzeRequest, 'tokens' | 'text' | 'lengths'>): string[] {
  const analyzers = req.tokens.map((t) => registry.get(t));
  const texts = unpackTexts(req.text, req.lengths);
  return texts.map((t, i) => (t === null ? '' : analyzers[i % analyzers.length]!.indexText(t)));
}

function analyze(req: AnalyzeRequest): void {
  const packed = packTexts(tokensOf(req));
  const res: WorkerResponse = { id: req.id, text: packed.text, lengths: packed.lengths };
  port!.postMessage(res, [packed.lengths.buffer as ArrayBuffer]);
}

// This thread's shard of each build in progress, by generation file.
const shards = new Map<string, FtsShardWriter>();

function shard(req: ShardRequest): void {
  let w = shards.get(req.build);
  if (w === undefined) shards.set(req.build, (w = new FtsShardWriter(`${req.build}.shard-${threadId}`, req.columns)));
  w.insert(req.rids, tokensOf(req));
  port!.postMessage({ id: req.id, rows: req.rids.length } satisfies WorkerResponse);
}

function endShard(req: ShardEndRequest): void {
  const w = shards.get(req.build);
  shards.delete(req.build);
  // The batches' garbage goes before the merge starts: the merge runs beside the main thread's index builds.
  collect();
  if (w === undefined || !req.keep) {
    w?.discard();
    port!.postMessage({ id: req.id, shard: null } satisfies WorkerResponse);
    return;
  }
  w.finish();
  const counts = req.floor === undefined ? undefined : readOnly(w.file, (db) => frequentTermCounts(db, req.floor!));
  port!.postMessage({ id: req.id, shard: w.file, ...(counts ? { counts } : {}) } satisfies WorkerResponse);
}

function shardCounts(req: ShardCountsRequest): void {
  port!.postMessage({ id: req.id, counts: readOnly(req.shard, (db) => termCounts(db, req.terms)) } satisfies WorkerResponse);
}

/** Runs `use` on a read-only connection to `file` (a shard, or a sealed generation). */
function readOnly<T>(file: string, use: (db: ReturnType<typeof openGenerationFile>) => T): T {
  const db = openGenerationFile(file, { readonly: true });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

// Ranking lists is background work (the generation is live and answers meanwhile): this thread gives way to
// the change channel, the searches and the HTTP thread on a busy machine (a lower nice value for this thread
// alone, on Linux). At 1M rows the ranking runs for tens of seconds after a build, on both cores.
let yielding = false;
function giveWay(): void {
  if (yielding) return;
  yielding = true;
  try {
    os.setPriority(0, 10);
  } catch {
    // Not allowed here: rank at the normal priority.
  }
}

// One read-only connection to the generation being ranked, kept across requests: each new connection would
// read every row's length again for tsrank (store/rank-extension.ts), ~0.1 s at 1M rows.
let ranking: { file: string; db: ReturnType<typeof openGenerationFile> } | undefined;

function topK(req: TopKRequest): void {
  giveWay();
  if (ranking?.file !== req.file) {
    ranking?.db.close();
    ranking = { file: req.file, db: openGenerationFile(req.file, { readonly: true }) };
  }
  port!.postMessage({ id: req.id, lists: rankTopK(ranking.db, req.items, req) } satisfies WorkerResponse);
}

port.on('message', (req: WorkerRequest) => {
  try {
    if (req.kind === 'topk') topK(req);
    else if (req.kind === 'shard') shard(req);
    else if (req.kind === 'shard-end') endShard(req);
    else if (req.kind === 'shard-counts') shardCounts(req);
    else analyze(req);
    guard.afterJob();
  } catch (e) {
    const res: WorkerResponse = { id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    port.postMessage(res);
  }
});
