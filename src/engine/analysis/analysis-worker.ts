// One analysis worker thread: builds its own analyzer registry (jieba loaded once per worker) and answers
// batches with the index-mode tokens of each text joined by spaces.
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzers } from './registry.js';
import { packTexts, unpackTexts, type WorkerInit, type WorkerRequest, type WorkerResponse } from './pool-protocol.js';

const port = parentPort;
if (port === null) throw new Error('analysis-worker must run as a worker thread');
const init = workerData as WorkerInit;
const registry = createAnalyzers({ userDictPath: init.userDictPath, stopWordsPath: init.stopWordsPath });

port.on('message', (req: WorkerRequest) => {
  let res: WorkerResponse;
  try {
    const analyzers = req.tokens.map((t) => registry.get(t));
    const texts = unpackTexts(req.text, req.lengths);
    const joined = texts.map((t, i) => (t === null ? '' : analyzers[i % analyzers.length]!.analyze(t, 'index').join(' ')));
    const packed = packTexts(joined);
    res = { id: req.id, text: packed.text, lengths: packed.lengths };
    port.postMessage(res, [packed.lengths.buffer as ArrayBuffer]);
  } catch (e) {
    res = { id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    port.postMessage(res);
  }
});
