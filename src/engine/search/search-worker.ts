// One search thread: its own analyzer registry and, per open generation, its own read-only connection
// (createSearcher), with its own result cache that SQLite's data_version invalidates like any reader's.
import { parentPort, workerData } from 'node:worker_threads';
import type { IndexSpec } from '../../core/schema.js';
import { createAnalyzers } from '../analysis/registry.js';
import { toWire, type SearchWorkerInit, type SearchWorkerRequest, type SearchWorkerResponse } from './search-protocol.js';
import { createSearcher, type GenerationSearcher } from './searcher.js';

const port = parentPort;
if (port === null) throw new Error('search-worker must run as a worker thread');
const init = workerData as SearchWorkerInit;
const analyzers = createAnalyzers({ userDictPath: init.userDictPath, stopWordsPath: init.stopWordsPath });
const registered = new Map<number, { path: string; spec: IndexSpec; searcher?: GenerationSearcher }>();

const searcherOf = (handle: number): GenerationSearcher => {
  const g = registered.get(handle);
  if (g === undefined) throw new Error(`search handle ${handle} is not open in this worker`);
  g.searcher ??= createSearcher(g.path, g.spec, analyzers);
  return g.searcher;
};

port.on('message', (m: SearchWorkerRequest) => {
  if (m.op === 'open') {
    // A new generation is queried with the dictionary as it is now (the build that made it read it too).
    analyzers.reload();
    registered.set(m.handle, { path: m.path, spec: m.spec });
    return;
  }
  if (m.op === 'close') {
    registered.get(m.handle)?.searcher?.close();
    registered.delete(m.handle);
    return;
  }
  let res: SearchWorkerResponse;
  try {
    res = m.op === 'search' ? { id: m.id, result: searcherOf(m.handle).search(m.req) } : { id: m.id, docs: searcherOf(m.handle).get(m.keys, m.fl) };
  } catch (e) {
    res = { id: m.id, error: toWire(e) };
  }
  port.postMessage(res);
});
