// A worker for worker-group.test.ts and thread-cpu.test.ts: echoes, answers with an error, stalls, exits, tells
// its young generation's limit, or keeps a CPU busy for `value` ms of its own CPU time, as asked.
import { readFileSync } from 'node:fs';
import { parentPort, resourceLimits } from 'node:worker_threads';

parentPort!.on('message', (req: { id: number; op: 'echo' | 'fail' | 'stall' | 'exit' | 'young' | 'spin'; value?: number }) => {
  if (req.op === 'echo') parentPort!.postMessage({ id: req.id, value: req.value });
  else if (req.op === 'fail') parentPort!.postMessage({ id: req.id, error: 'asked to fail' });
  else if (req.op === 'exit') process.exit(3);
  else if (req.op === 'spin') {
    // Until this thread has run `value` ms on a CPU (however long that takes on a busy machine); answers with the
    // CPU ms it read from /proc.
    const cpuMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]) / 1e6;
    const from = cpuMs();
    let used = 0;
    while ((used = cpuMs() - from) < (req.value ?? 0));
    parentPort!.postMessage({ id: req.id, value: used });
  } else if (req.op === 'young') parentPort!.postMessage({ id: req.id, value: resourceLimits.maxYoungGenerationSizeMb });
});
