// One channel worker thread: decodes runs of change messages into document operations, and analyses the new
// images a transaction needs (channel-prepare.ts), so a channel's own thread only writes. Started by
// channel-workers.ts; one preparer (decoder, analyzers) per channel configuration it has seen.
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzers } from '../engine/analysis/registry.js';
import { collectGarbage } from '../engine/full-gc.js';
import { MessagePreparer } from './channel-prepare.js';
import { unpackMessages, type ChannelWorkerInit, type ChannelWorkerRequest, type ChannelWorkerResponse } from './channel-workers.js';

const port = parentPort;
if (port === null) throw new Error('channel-worker must run as a worker thread');
const init = workerData as ChannelWorkerInit;
const analyzers = createAnalyzers({ userDictPath: init.userDictPath, stopWordsPath: init.stopWordsPath });
const preparers = new Map<string, MessagePreparer>();

// As in the analysis workers: decoded rows and tokens are promoted before they die, so the heap would grow to
// hundreds of MiB between V8's own full collections; one runs after a job that leaves the heap above this.
const HEAP_CEILING = 64 * 1024 * 1024;

port.on('message', (req: ChannelWorkerRequest) => {
  let res: ChannelWorkerResponse;
  try {
    let p = preparers.get(req.configKey);
    if (!p) {
      preparers.set(req.configKey, (p = new MessagePreparer(req.config, analyzers)));
      p.warm();
    }
    res = req.kind === 'prepare' ? { id: req.id, prepared: p.prepare(unpackMessages(req.bytes, req.lengths)) } : { id: req.id, tokens: p.analyse(req.texts) };
  } catch (e) {
    res = { id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(res);
  if (getHeapStatistics().total_heap_size > HEAP_CEILING) collectGarbage();
});
