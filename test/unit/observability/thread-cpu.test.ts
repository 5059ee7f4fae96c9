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

test('a worker thread busy for 400 ms shows ~0.4 s under its module, not under main; the count stays when it ends', async () => {
  const metrics = createMetrics(createEventBus(), { defaultMetrics: false });
  const render = () => metrics.render();
  const g = createWorkerGroup<Req, Res>({ from: new URL('../engine/worker-group-echo.ts', import.meta.url).href, module: 'worker-group-echo', workerData: null, size: 1, thread: 'echo worker', group: 'the echo group' });
  try {
    await g.send((id) => ({ id, op: 'echo', value: 1 })); // started, and its thread id told
    const before = { worker: await cpu(render, 'worker-group-echo'), main: await cpu(render, 'main') };
    await g.send((id) => ({ id, op: 'spin', value: 400 }));
    const after = { worker: await cpu(render, 'worker-group-echo'), main: await cpu(render, 'main') };
    const spun = after.worker - before.worker;
    assert.ok(spun >= 0.3 && spun < 0.8, `the worker's 400 ms busy loop counted ${spun.toFixed(3)} s`);
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
    const until = Date.now() + 300;
    while (Date.now() < until);
    const spun = (await cpu(render, 'main')) - before;
    assert.ok(spun >= 0.2 && spun < 0.6, `main's 300 ms busy loop counted ${spun.toFixed(3)} s`);
  } finally {
    metrics.close();
  }
});
