// One channel worker thread: decodes runs of change messages into document operations, and analyses the new
// images a transaction needs (channel-prepare.ts), so a channel's own thread only writes. Started by
// channel-workers.ts; one preparer (decoder, analyzers) per channel configuration it has seen.
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzers } from '../engine/analysis/registry.js';
import { heapGuard } from '../engine/heap-guard.js';
import { MessagePreparer } from './channel-prepare.js';
import { unpackMessages, type ChannelWorkerInit, type ChannelWorkerRequest, type ChannelWorkerResponse } from './channel-workers.js';

const port = parentPort;
if (port === null) throw new Error('channel-worker must run as a worker thread');
const init = workerData as ChannelWorkerInit;
const analyzers = createAnalyzers({ userDictPath: init.userDictPath, stopWordsPath: init.stopWordsPath });
const preparers = new Map<string, MessagePreparer>();

// As in the analysis workers: decoded rows and tokens are promoted before they die, so a full collection runs
// when a job leaves the old generation fuller than the headroom allows (heap-guard.ts).
const guard = heapGuard();

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
  guard.afterJob();
});
