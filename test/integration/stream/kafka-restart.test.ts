// After kill -9 of a consuming process, a new one resumes from the stored positions at once (no consumer
// group session to wait out), with nothing missing and nothing delivered twice past those positions.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StreamPosition } from '../../../src/core/change.js';
import { createKafkaChangeStream } from '../../../src/stream/kafka/index.js';
import { startKafka, type Kafka } from '../../support/index.js';

let kafka: Kafka;
before(async () => { kafka = await startKafka(); });
after(async () => { await kafka?.stop(); });

const CHILD = fileURLToPath(new URL('./support/consumer-child.ts', import.meta.url));
const PARTITIONS = 4;

test('SIGKILL mid-stream, restart from stored positions: first batch within 2 s, exact continuation', async () => {
  const topic = `restart-${process.pid}`;
  await kafka.createTopic(topic, PARTITIONS);
  const all: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const msgs = Array.from({ length: 50 }, (_, i) => ({ partition: p, value: `p${p}-${i}` }));
    all.push(...msgs.map((m) => m.value));
    await kafka.produce(topic, msgs);
  }

  // 1. The first consumer applies some batches, then dies without any goodbye.
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, kafka.brokers, topic, '[]'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stored = new Map<number, string>();
  const applied: string[] = [];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for await (const line of createInterface({ input: child.stdout! })) {
    const r = JSON.parse(line) as { partition: number; next: string; values: string[] };
    stored.set(r.partition, r.next);
    applied.push(...r.values);
    if (applied.length >= 20) break;
  }
  child.kill('SIGKILL');
  await exited;
  assert.ok(applied.length < all.length, 'killed before the end');

  // 2. More changes arrive while no one consumes.
  const late = Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value: `late-${p}` }));
  await kafka.produce(topic, late);
  all.push(...late.map((m) => m.value));

  // 3. Restart from the stored positions; measure the time to the first batch.
  const from: StreamPosition[] = [...stored].map(([partition, offset]) => ({ topic, partition, offset }));
  const stream = createKafkaChangeStream({ brokers: kafka.brokerList, topic, groupId: `g-${topic}`, maxWaitTimeMs: 100 });
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort('timeout'), 15_000);
  const t0 = performance.now();
  let firstBatchMs = -1;
  const resumed: string[] = [];
  try {
    await stream.run({
      from, reset: 'earliest', signal: ac.signal,
      onBatch: async (b) => {
        if (firstBatchMs < 0) firstBatchMs = performance.now() - t0;
        resumed.push(...b.partitions.flatMap((p) => p.messages.map((m) => m.value!.toString())));
        if (applied.length + resumed.length >= all.length) ac.abort('done');
      },
    });
  } finally {
    clearTimeout(timer);
    await stream.close();
  }
  console.log(`# time to first batch after kill -9 and restart: ${firstBatchMs.toFixed(0)} ms`);
  assert.equal(ac.signal.reason, 'done');
  assert.ok(firstBatchMs >= 0 && firstBatchMs < 2000, `first batch after ${firstBatchMs} ms`);
  assert.deepEqual([...applied, ...resumed].sort(), [...all].sort(), 'every message exactly once across the kill');
});
