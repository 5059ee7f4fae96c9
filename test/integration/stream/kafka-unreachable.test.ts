// Brokers that do not answer at all: the stream keeps retrying and says so; admin calls fail typed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKafkaChangeStream, type StreamStatus } from '../../../src/stream/kafka/index.js';
import { freePort } from '../../support/index.js';

test('unreachable brokers: status retrying with the reason until stopped; startPositions → STREAM_UNREACHABLE', async () => {
  const port = await freePort(); // nothing listens there
  const statuses: StreamStatus[] = [];
  const s = createKafkaChangeStream({ brokers: [`127.0.0.1:${port}`], topic: 't', groupId: 'g', retryInitialDelayMs: 50, retryMaxDelayMs: 200, onStatus: (x) => statuses.push(x) });
  const ac = new AbortController();
  const run = s.run({ from: [], reset: 'earliest', signal: ac.signal, onBatch: async () => assert.fail('no data') });
  while (statuses.filter((x) => x.state === 'retrying').length < 3) await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  await run;
  const retrying = statuses.filter((x) => x.state === 'retrying');
  assert.equal(statuses[0]?.state, 'connecting');
  assert.equal(statuses.at(-1)?.state, 'stopped');
  assert.ok(retrying.every((x) => x.state === 'retrying' && /connect/i.test(x.reason)), JSON.stringify(retrying[0]));
  assert.deepEqual(retrying.slice(0, 3).map((x) => x.state === 'retrying' && x.attempt), [1, 2, 3]);
  await assert.rejects(s.startPositions('earliest'), (e: { code?: string; retriable?: boolean }) => e.code === 'STREAM_UNREACHABLE' && e.retriable === true);
  await s.close();
});
