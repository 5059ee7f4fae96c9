// One analysis worker thread: builds its own analyzer registry and answers batches with the index-mode tokens
// of each text joined by spaces; at the end of a build it also ranks top-K lists of the sealed generation.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzers } from './registry.js';
import { openGenerationFile } from '../store/generation-file.js';
import { rankTopK } from '../store/topk-table.js';
import { packTexts, unpackTexts, type AnalyzeRequest, type TopKRequest, type WorkerInit, type WorkerRequest, type WorkerResponse } from './pool-protocol.js';

const port = parentPort;
if (port === null) throw new Error('analysis-worker must run as a worker thread');
const init = workerData as WorkerInit;
const registry = createAnalyzers({ userDictPath: init.userDictPath, stopWordsPath: init.stopWordsPath });

// A job's tokens outlive a young-generation collection and are promoted, so between V8's own (rare) full
// collections a worker's heap grows to hundreds of MiB of dead tokens over a big build: measured, the
// server's peak RSS grew with the table. A full collection of a heap this small (the live set is the
// analyzers plus one job) takes a few ms, so one runs after any job that leaves the heap above the ceiling.
// gc() is not exposed to workers by a flag (execArgv refuses V8 flags): enabled at run time instead.
const HEAP_CEILING = 64 * 1024 * 1024;
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function analyze(req: AnalyzeRequest): void {
  const analyzers = req.tokens.map((t) => registry.get(t));
  const texts = unpackTexts(req.text, req.lengths);
  const joined = texts.map((t, i) => (t === null ? '' : analyzers[i % analyzers.length]!.analyze(t, 'index').join(' ')));
  const packed = packTexts(joined);
  const res: WorkerResponse = { id: req.id, text: packed.text, lengths: packed.lengths };
  port!.postMessage(res, [packed.lengths.buffer as ArrayBuffer]);
}

function topK(req: TopKRequest): void {
  const db = openGenerationFile(req.file, { readonly: true });
  try {
    const res: WorkerResponse = { id: req.id, lists: rankTopK(db, req.items, req) };
    port!.postMessage(res);
  } finally {
    db.close();
  }
}

port.on('message', (req: WorkerRequest) => {
  try {
    if (req.kind === 'topk') topK(req);
    else analyze(req);
    if (getHeapStatistics().total_heap_size > HEAP_CEILING) collect();
  } catch (e) {
    const res: WorkerResponse = { id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    port.postMessage(res);
  }
});
