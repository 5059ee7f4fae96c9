// A worker group answers requests by id on its threads; an {error} answer rejects that request only; a thread
// that exits fails the group (pending and later requests); close rejects what is pending with SHUTTING_DOWN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkerGroup } from '../../../src/engine/worker-group.js';

type Req = { id: number; op: 'echo' | 'fail' | 'stall' | 'exit' | 'young'; value?: number };
type Res = { id: number; value: number } | { id: number; error: string };
const start = () => createWorkerGroup<Req, Res>({ from: import.meta.url, module: 'worker-group-echo', workerData: null, size: 2, thread: 'echo worker', group: 'the echo group' });
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

test('answers come back to their requests; an error answer rejects only its request; close rejects what is pending', async () => {
  const g = start();
  try {
    assert.equal(g.size, 2);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => g.send((id) => ({ id, op: 'echo', value: i }))));
    assert.deepEqual(answers.map((a) => a.value), Array.from({ length: 20 }, (_, i) => i));
    const stalled = g.send((id) => ({ id, op: 'stall' }), [], g.slots[0]);
    assert.equal(g.slots[0]!.pending.size, 1);
    stalled.catch(() => {});
    // The least busy thread takes the next request: the second one.
    await g.send((id) => ({ id, op: 'echo', value: 1 }));
    await assert.rejects(g.send((id) => ({ id, op: 'fail' })), (e: unknown) => code('INTERNAL')(e) && /echo worker failed: asked to fail/.test((e as Error).message));
    assert.equal((await g.send((id) => ({ id, op: 'echo', value: 7 }))).value, 7, 'the group goes on after an error answer');
    await g.close();
    await assert.rejects(stalled, code('SHUTTING_DOWN'));
    await assert.rejects(g.send((id) => ({ id, op: 'echo', value: 1 })), code('SHUTTING_DOWN'));
  } finally {
    await g.close();
  }
});

test('a thread that exits fails its pending requests and every later one', async () => {
  const g = start();
  try {
    const stalled = g.send((id) => ({ id, op: 'stall' }), [], g.slots[1]);
    await assert.rejects(g.send((id) => ({ id, op: 'exit' }), [], g.slots[1]), /echo worker exited with code 3/);
    await assert.rejects(stalled, /exited with code 3/);
    await assert.rejects(g.send((id) => ({ id, op: 'echo', value: 1 }), [], g.slots[0]), /exited with code 3/);
  } finally {
    await g.close();
  }
});

test('youngGenerationMb caps every thread\'s young generation', async () => {
  const g = createWorkerGroup<Req, Res>({ from: import.meta.url, module: 'worker-group-echo', workerData: null, size: 2, youngGenerationMb: 12, thread: 'echo worker', group: 'the echo group' });
  try {
    const limits = await Promise.all(g.slots.map((slot) => g.send((id) => ({ id, op: 'young' }), [], slot)));
    assert.deepEqual(limits.map((l) => l.value), [12, 12]);
  } finally {
    await g.close();
  }
});
