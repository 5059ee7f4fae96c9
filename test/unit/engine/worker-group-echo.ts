// A worker for worker-group.test.ts and thread-cpu.test.ts: echoes, answers with an error, stalls, exits, tells
// its young generation's limit, or keeps its CPU busy for `value` ms, as asked.
import { parentPort, resourceLimits } from 'node:worker_threads';

parentPort!.on('message', (req: { id: number; op: 'echo' | 'fail' | 'stall' | 'exit' | 'young' | 'spin'; value?: number }) => {
  if (req.op === 'echo') parentPort!.postMessage({ id: req.id, value: req.value });
  else if (req.op === 'fail') parentPort!.postMessage({ id: req.id, error: 'asked to fail' });
  else if (req.op === 'exit') process.exit(3);
  else if (req.op === 'spin') {
    const until = Date.now() + (req.value ?? 0);
    let n = 0;
    while (Date.now() < until) n++;
    parentPort!.postMessage({ id: req.id, value: n });
  } else if (req.op === 'young') parentPort!.postMessage({ id: req.id, value: resourceLimits.maxYoungGenerationSizeMb });
});
