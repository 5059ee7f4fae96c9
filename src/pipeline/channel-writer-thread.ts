// A channel's writer thread (channel-writer.ts): one GenerationWriter, opened by the first request, that
// applies the channel's transactions under its generation's version rule. An upsert that arrives without
// tokens (its event said its texts were unchanged, yet the stored texts differ) is analysed here, by analyzers
// made only when first asked.
import { parentPort } from 'node:worker_threads';
import { createAnalyzers } from '../engine/analysis/registry.js';
import type { AnalyzerRegistry } from '../engine/analysis/analyzer.js';
import { heapGuard } from '../engine/heap-guard.js';
import { GenerationWriter } from '../engine/store/writer.js';
import { ChangeOps } from './change-ops.js';
import { versionRule } from './version-rule.js';
import type { WriterThreadRequest, WriterThreadResponse } from './channel-writer.js';

const port = parentPort;
if (port === null) throw new Error('channel-writer-thread must run as a worker thread');

let writer: GenerationWriter | undefined;
let ops: ChangeOps | undefined;
let rule: ReturnType<typeof versionRule> | undefined;
// Decoded rows and tokens arrive with every request and die after it (heap-guard.ts).
const guard = heapGuard();

function handle(req: WriterThreadRequest): { res: WriterThreadResponse; transfer: ArrayBuffer[] } {
  const { id } = req;
  if (req.kind === 'open') {
    if (writer) throw new Error('this writer thread has a generation open already');
    writer = new GenerationWriter(req.file, req.spec, { durable: req.durable ?? true });
    rule = versionRule(writer.snapshotTs());
    let analyzers: AnalyzerRegistry | undefined;
    const lazy: AnalyzerRegistry = { get: (name) => (analyzers ??= createAnalyzers({ userDictPath: req.userDictPath, stopWordsPath: req.stopWordsPath })).get(name) };
    ops = new ChangeOps(req.spec, lazy);
    return { res: { id, opened: { positions: writer.positions() } }, transfer: [] };
  }
  if (!writer || !ops || !rule) throw new Error('no generation is open on this writer thread');
  switch (req.kind) {
    case 'apply': {
      const w = writer;
      const r = w.apply(
        req.ops.map((op) => ops!.withTokens(op)),
        req.positions,
        rule,
      );
      return { res: { id, applied: r.applied, skipped: r.skipped, outcome: r.outcome, positions: w.positions() }, transfer: [r.outcome.buffer as ArrayBuffer] };
    }
    case 'makeDurable':
      writer.makeDurable();
      return { res: { id, done: true }, transfer: [] };
    case 'docCount':
      return { res: { id, docCount: writer.docCount() }, transfer: [] };
    case 'close':
      writer.close();
      writer = undefined;
      return { res: { id, done: true }, transfer: [] };
  }
}

port.on('message', (req: WriterThreadRequest) => {
  let out: { res: WriterThreadResponse; transfer: ArrayBuffer[] };
  try {
    out = handle(req);
  } catch (e) {
    out = { res: { id: req.id, error: e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e) }, transfer: [] };
  }
  port.postMessage(out.res, out.transfer);
  guard.afterJob();
});
