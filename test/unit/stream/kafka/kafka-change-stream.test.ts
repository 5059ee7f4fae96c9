// The consumer loop's decisions, over a scripted wire: out-of-range positions per reset, retry status
// sequence, non-retriable failures surfacing as typed errors, and positions advancing only after onBatch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../../../src/stream/change-stream.js';
import { createKafkaChangeStream, type KafkaWire, type StreamStatus } from '../../../../src/stream/kafka/index.js';
import { WireError, type WirePartitionData } from '../../../../src/stream/kafka/kafka-wire.js';

/** A one-partition topic holding offsets [lo, hi) whose fetch can be made to fail. */
function fakeWire(lo: number, hi: number, failures: WireError[] = []) {
  const fetched: string[] = [];
  const wire: KafkaWire = {
    connect: async () => {},
    disconnect: async () => {},
    partitions: async () => [0],
    listOffsets: async (_t, parts, which) => new Map(parts.map((p) => [p, String(which === 'earliest' ? lo : hi)])),
    committed: async () => new Map(),
    commit: async () => {},
    fetch: async (_t, from): Promise<WirePartitionData[]> => {
      const f = failures.shift();
      if (f) throw f;
      const at = Number(from.get(0));
      fetched.push(String(at));
      if (at < lo || at > hi) throw new WireError(`offset ${at} out of range`, false, 'offset-out-of-range');
      const messages = Array.from({ length: Math.min(hi - at, 3) }, (_, i) => ({ offset: String(at + i), key: null, value: Buffer.from(`m${at + i}`), timestamp: '0' }));
      await new Promise((r) => setTimeout(r, 2));
      return [{ partition: 0, highWatermark: String(hi), messages }];
    },
  };
  return { wire, fetched };
}

async function runUntil(wire: KafkaWire, from: string, reset: 'earliest' | 'latest' | 'none', count: number, statuses: StreamStatus[] = []) {
  const s = createKafkaChangeStream({ brokers: [], topic: 't', groupId: 'g', wire, retryInitialDelayMs: 1, retryMaxDelayMs: 5, onStatus: (x) => statuses.push(x) });
  const ac = new AbortController();
  const batches: ChangeBatch[] = [];
  const timer = setTimeout(() => ac.abort('timeout'), 3000);
  try {
    await s.run({ from: [{ topic: 't', partition: 0, offset: from }], reset, signal: ac.signal, onBatch: async (b) => { batches.push(b); if (batches.flatMap((x) => x.partitions.flatMap((p) => p.messages)).length >= count) ac.abort('done'); } });
  } finally {
    clearTimeout(timer);
  }
  return batches.flatMap((b) => b.partitions.flatMap((p) => p.messages.map((m) => m.offset)));
}

test('a stored position below the retained range resets to earliest / latest per strategy', async () => {
  assert.deepEqual(await runUntil(fakeWire(10, 14).wire, '2', 'earliest', 4), ['10', '11', '12', '13']);
  const { wire, fetched } = fakeWire(10, 14);
  const s = createKafkaChangeStream({ brokers: [], topic: 't', groupId: 'g', wire });
  const ac = new AbortController();
  const run = s.run({ from: [{ topic: 't', partition: 0, offset: '2' }], reset: 'latest', signal: ac.signal, onBatch: async () => assert.fail('nothing after latest') });
  while (fetched.length < 3) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  await run;
  assert.deepEqual(fetched.slice(0, 2), ['2', '14']);
});

test('reset=none with an out-of-range position → STREAM_NO_POSITION naming the range', async () => {
  await assert.rejects(runUntil(fakeWire(10, 14).wire, '2', 'none', 1), (e: { code?: string; message?: string }) => e.code === 'STREAM_NO_POSITION' && /offset 2 of t-0 is outside the retained range 10\.\.14/.test(e.message ?? ''));
});

test('transient failures: retrying(reason) then running again; non-retriable ones stop with STREAM_UNREACHABLE', async () => {
  const statuses: StreamStatus[] = [];
  const { wire } = fakeWire(0, 6, [new WireError('fetch: Connection refused', true, 'other'), new WireError('fetch: Connection refused', true, 'other')]);
  assert.deepEqual(await runUntil(wire, '0', 'earliest', 6, statuses), ['0', '1', '2', '3', '4', '5']);
  assert.deepEqual(statuses.map((s) => s.state), ['connecting', 'running', 'retrying', 'retrying', 'running', 'stopped']);
  assert.equal(statuses[2]?.state === 'retrying' && statuses[2].reason, 'fetch: Connection refused');

  const fatal: StreamStatus[] = [];
  await assert.rejects(runUntil(fakeWire(0, 6, [new WireError('fetch: unsupported version', false, 'other')]).wire, '0', 'earliest', 1, fatal), (e: { code?: string; retriable?: boolean }) => e.code === 'STREAM_UNREACHABLE' && e.retriable === false);
  assert.deepEqual(fatal.at(-1), { state: 'stopped', reason: 'Kafka: fetch: unsupported version' });
});

test('a failing onBatch stops the run at once: no later batch is delivered', async () => {
  const { wire } = fakeWire(0, 30);
  const s = createKafkaChangeStream({ brokers: [], topic: 't', groupId: 'g', wire });
  const seen: string[] = [];
  await assert.rejects(s.run({ from: [], reset: 'earliest', signal: new AbortController().signal, onBatch: async (b) => { seen.push(b.partitions[0]!.messages[0]!.offset); if (seen.length === 2) throw new Error('disk full'); } }), /disk full/);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(seen, ['0', '3']);
});

test('fetching overlaps applying: the next fetch is in flight while a batch is applied', async () => {
  const { wire, fetched } = fakeWire(0, 9);
  const s = createKafkaChangeStream({ brokers: [], topic: 't', groupId: 'g', wire });
  const ac = new AbortController();
  const fetchedDuringApply: number[] = [];
  await s.run({ from: [], reset: 'earliest', signal: ac.signal, onBatch: async (b) => {
    await new Promise((r) => setTimeout(r, 20));
    fetchedDuringApply.push(fetched.length);
    if (b.partitions[0]!.messages.at(-1)!.offset === '8') ac.abort();
  } });
  assert.deepEqual(fetchedDuringApply, [2, 3, 4], 'while batch n is applied, fetch n+1 has already been sent');
});
