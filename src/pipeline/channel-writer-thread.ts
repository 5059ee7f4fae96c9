// A channel's writer thread (channel-writer.ts): one generation's writer as the calling thread would have it
// (writerOnThisThread), opened by the first request. An upsert that arrives without tokens (its event said its
// texts were unchanged, yet the stored texts differ) is analysed here, by analyzers made only when first asked.
import { parentPort } from 'node:worker_threads';
import { createAnalyzers } from '../engine/analysis/registry.js';
import type { AnalyzerRegistry } from '../engine/analysis/analyzer.js';
import { heapGuard } from '../engine/heap-guard.js';
import { GenerationWriter } from '../engine/store/writer.js';
import { ChangeOps } from './change-ops.js';
import { writerOnThisThread, type ChannelWriter, type WriterThreadRequest, type WriterThreadResponse } from './channel-writer.js';

const port = parentPort;
if (port === null) throw new Error('channel-writer-thread must run as a worker thread');

let writer: ChannelWriter | undefined;
// Decoded rows and tokens arrive with every request and die after it (heap-guard.ts).
const guard = heapGuard();

async function handle(req: WriterThreadRequest): Promise<{ res: WriterThreadResponse; transfer: ArrayBuffer[] }> {
  const { id } = req;
  if (req.kind === 'open') {
    if (writer) throw new Error('this writer thread has a generation open already');
    let analyzers: AnalyzerRegistry | undefined;
    const lazy: AnalyzerRegistry = { get: (name) => (analyzers ??= createAnalyzers({ userDictPath: req.userDictPath, stopWordsPath: req.stopWordsPath })).get(name) };
    writer = writerOnThisThread(new GenerationWriter(req.file, req.spec, { durable: req.durable ?? true }), new ChangeOps(req.spec, lazy));
    return { res: { id, opened: { positions: writer.positions() } }, transfer: [] };
  }
  if (!writer) throw new Error('no generation is open on this writer thread');
  switch (req.kind) {
    case 'apply': {
      const r = await writer.apply(req.ops, req.positions);
      return { res: { id, applied: r.applied, skipped: r.skipped, outcome: r.outcome, positions: writer.positions() }, transfer: [r.outcome.buffer as ArrayBuffer] };
    }
    case 'makeDurable':
      await writer.makeDurable();
      return { res: { id, done: true }, transfer: [] };
    case 'docCount':
      return { res: { id, docCount: await writer.docCount() }, transfer: [] };
    case 'close':
      await writer.close();
      writer = undefined;
      return { res: { id, done: true }, transfer: [] };
  }
}

// The writer's methods do their work before they return, so requests are still handled one at a time, in order.
port.on('message', (req: WriterThreadRequest) => {
  void handle(req)
    .catch((e: unknown): { res: WriterThreadResponse; transfer: ArrayBuffer[] } => ({
      res: { id: req.id, error: e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e) },
      transfer: [],
    }))
    .then((out) => {
      port.postMessage(out.res, out.transfer);
      guard.afterJob();
    });
});
