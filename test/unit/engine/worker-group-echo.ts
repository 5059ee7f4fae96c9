// A worker for worker-group.test.ts: echoes, answers with an error, stalls, or exits, as asked.
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (req: { id: number; op: 'echo' | 'fail' | 'stall' | 'exit'; value?: number }) => {
  if (req.op === 'echo') parentPort!.postMessage({ id: req.id, value: req.value });
  else if (req.op === 'fail') parentPort!.postMessage({ id: req.id, error: 'asked to fail' });
  else if (req.op === 'exit') process.exit(3);
});
