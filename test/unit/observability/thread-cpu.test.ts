// CPU time by thread role, as a Prometheus scrape shows it: a worker thread's time counts under its module's
// name, the main thread's under main, and a role's count does not fall when its threads end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkerGroup } from '../../../src/engine/worker-group.js';
import { createEventBus } from '../../../src/observability/events.js';
import { createMetrics } from '../../../src/observability/metrics.js';

type Req = { id: number; op: 'echo' | 'spin'; value?: number };
type Res = { id: number; value: number } | { id: number; error: string };

const cpu = async (render: () => Promise<string>, thread: string): Promise<number> => {
  const line = (await render()).split('\n').find((l) => l.startsWith(`tidesearch_thread_cpu_seconds_total{thread="${thread}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
};

test('a worker thread\'s CPU time counts under its module, not under main; the count stays when it ends', async () => {
  const metrics = createMetrics(createEventBus(), { defaultMetrics: false });
  const render = () => metrics.render();
  const g = createWorkerGroup<Req, Res>({ from: new URL('../engine/worker-group-echo.ts', import.meta.url).href, module: 'worker-group-echo', workerData: null, size: 1, thread: 'echo worker', group: 'the echo group' });
  try {
    await g.send((id) => ({ id, op: 'echo', value: 1 })); // started, and its thread id told
    const before = { worker: await cpu(render, 'worker-group-echo'), main: await cpu(render, 'main') };
    const used = (await g.send((id) => ({ id, op: 'spin', value: 400 }))).value / 1000;
    const after = { worker: await cpu(render, 'worker-group-echo'), main: await cpu(render, 'main') };
    const spun = after.worker - before.worker;
    assert.ok(spun >= used - 0.01 && spun < used + 0.1, `the worker's busy loop used ${used.toFixed(3)} s of CPU; its role counted ${spun.toFixed(3)} s`);
    assert.ok(after.main - before.main < 0.2, `main counted ${(after.main - before.main).toFixed(3)} s while it only waited`);
    assert.ok(after.main > 0, 'the main thread has a count');
    await g.close();
    assert.ok((await cpu(render, 'worker-group-echo')) >= after.worker, 'an ended thread keeps its count');
  } finally {
    await g.close();
    metrics.close();
  }
});

test('main counts the main thread\'s own work', async () => {
  const metrics = createMetrics(createEventBus(), { defaultMetrics: false });
  const render = () => metrics.render();
  try {
    const before = await cpu(render, 'main');
    // 300 ms of this thread's own CPU time (the process's: nothing else runs meanwhile).
    const usedUs = () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    const from = usedUs();
    while (usedUs() - from < 300_000);
    const spun = (await cpu(render, 'main')) - before;
    assert.ok(spun >= 0.25 && spun < 0.6, `main's busy loop of 300 ms CPU counted ${spun.toFixed(3)} s`);
  } finally {
    metrics.close();
  }
});
