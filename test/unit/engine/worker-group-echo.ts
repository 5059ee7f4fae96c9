// A worker for worker-group.test.ts: echoes, answers with an error, stalls, exits, or tells its young
// generation's limit, as asked.
import { parentPort, resourceLimits } from 'node:worker_threads';

parentPort!.on('message', (req: { id: number; op: 'echo' | 'fail' | 'stall' | 'exit' | 'young'; value?: number }) => {
  if (req.op === 'echo') parentPort!.postMessage({ id: req.id, value: req.value });
  else if (req.op === 'fail') parentPort!.postMessage({ id: req.id, error: 'asked to fail' });
  else if (req.op === 'exit') process.exit(3);
  else if (req.op === 'young') parentPort!.postMessage({ id: req.id, value: resourceLimits.maxYoungGenerationSizeMb });
});
