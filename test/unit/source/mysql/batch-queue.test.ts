import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchQueue } from '../../../../src/source/mysql/batch-queue.js';

test('producers wait while the queue is full and resume as the consumer drains', async () => {
  const q = new BatchQueue<number>(2);
  let pushed = 0;
  const producer = (async () => {
    for (let i = 0; i < 10; i++) {
      await q.push(i);
      pushed++;
    }
    q.close();
  })();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(pushed, 2, 'stops at capacity until someone reads');
  const got: number[] = [];
  for await (const n of q.drain()) got.push(n);
  await producer;
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('closing with an error fails the consumer and releases waiting producers', async () => {
  const q = new BatchQueue<number>(1);
  await q.push(1);
  const blocked = q.push(2);
  q.close(new Error('boom'));
  assert.equal(await blocked, false);
  await assert.rejects(async () => {
    for await (const _ of q.drain());
  }, /boom/);
});
