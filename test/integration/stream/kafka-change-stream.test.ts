// The Kafka ChangeStream against librdkafka's mock broker: explicit positions, reset strategies,
// multi-partition topics, commits for visibility, and broker outages reported and survived.
import { ticdcSamplesDir } from '../../support/repo-root.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RawMessage, StreamPosition } from '../../../src/core/change.js';
import type { ChangeBatch, ChangeStream } from '../../../src/stream/change-stream.js';
import { createKafkaChangeStream, type StreamStatus } from '../../../src/stream/kafka/index.js';
import { startKafka, type Kafka } from '../../support/index.js';

let kafka: Kafka;
before(async () => { kafka = await startKafka(); });
after(async () => { await kafka?.stop(); });

let topicSeq = 0;
async function topicWith(partitions: number, perPartition: number): Promise<string> {
  const topic = `stream-${process.pid}-${++topicSeq}`;
  await kafka.createTopic(topic, partitions);
  for (let p = 0; p < partitions; p++) {
    if (perPartition > 0) await kafka.produce(topic, Array.from({ length: perPartition }, (_, i) => ({ partition: p, key: `k${p}`, value: `p${p}-m${i}` })));
  }
  return topic;
}

function stream(topic: string, statuses: StreamStatus[] = [], groupId = `g-${topic}`): ChangeStream {
  return createKafkaChangeStream({ brokers: kafka.brokerList, topic, groupId, maxWaitTimeMs: 100, retryInitialDelayMs: 100, retryMaxDelayMs: 500, onStatus: (s) => statuses.push(s) });
}

/** Runs until `until(received)` holds (or the timeout passes), then stops the stream. */
async function consume(s: ChangeStream, from: readonly StreamPosition[], reset: 'earliest' | 'latest' | 'none', until: (got: RawMessage[]) => boolean, timeoutMs = 10_000) {
  const got: RawMessage[] = [];
  const batches: ChangeBatch[] = [];
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort('timeout'), timeoutMs);
  try {
    await s.run({
      from, reset, signal: ac.signal,
      onBatch: async (b) => {
        batches.push(b);
        got.push(...b.partitions.flatMap((p) => p.messages));
        if (until(got)) ac.abort('done');
      },
    });
  } finally {
    clearTimeout(timer);
  }
  return { got, batches, timedOut: ac.signal.reason === 'timeout' };
}

const values = (ms: readonly RawMessage[]) => ms.map((m) => m.value?.toString()).sort();

test('consumes every partition from the given positions; partitions without one start per reset=earliest', async () => {
  const topic = await topicWith(4, 5);
  const s = stream(topic);
  const from = [{ topic, partition: 0, offset: '3' }, { topic, partition: 2, offset: '5' }, { topic: 'other', partition: 1, offset: '4' }];
  const { got, batches } = await consume(s, from, 'earliest', (g) => g.length >= 2 + 5 + 5);
  await s.close();
  const expected = ['p0-m3', 'p0-m4', ...[1, 3].flatMap((p) => [0, 1, 2, 3, 4].map((i) => `p${p}-m${i}`))].sort();
  assert.deepEqual(values(got), expected);
  for (const b of batches) {
    assert.equal(b.topic, topic);
    for (const p of b.partitions) {
      assert.equal(p.highWatermark, '5');
      assert.ok(p.messages.every((m) => m.partition === p.partition && m.topic === topic));
    }
  }
  assert.deepEqual(got.filter((m) => m.partition === 0).map((m) => m.offset), ['3', '4'], 'offsets are decimal text, from the position on');
});

test('reset=latest skips what is already there and delivers what comes next', async () => {
  const topic = await topicWith(2, 3);
  const statuses: StreamStatus[] = [];
  const s = stream(topic, statuses);
  const run = consume(s, [], 'latest', (g) => g.length >= 2);
  while (!statuses.some((x) => x.state === 'running')) await new Promise((r) => setTimeout(r, 20));
  await kafka.produce(topic, [{ partition: 0, value: 'new-0' }, { partition: 1, value: 'new-1' }]);
  const { got } = await run;
  await s.close();
  assert.deepEqual(values(got), ['new-0', 'new-1']);
  assert.deepEqual(got.map((m) => m.offset).sort(), ['3', '3']);
  assert.deepEqual(statuses.map((x) => x.state), ['connecting', 'running', 'stopped']);
});

test('reset=none: STREAM_NO_POSITION without a committed offset; with one, starts there', async () => {
  const topic = await topicWith(2, 4);
  const s = stream(topic);
  await assert.rejects(s.startPositions('none'), (e: { code?: string; message?: string }) => e.code === 'STREAM_NO_POSITION' && /partition\(s\) 0, 1 of topic/.test(e.message ?? ''));
  await assert.rejects(consume(s, [], 'none', () => true), (e: { code?: string }) => e.code === 'STREAM_NO_POSITION');
  await s.commit([{ topic, partition: 0, offset: '1' }, { topic, partition: 1, offset: '3' }]);
  assert.deepEqual(await s.startPositions('none'), [{ topic, partition: 0, offset: '1' }, { topic, partition: 1, offset: '3' }]);
  const { got } = await consume(s, [], 'none', (g) => g.length >= 4);
  assert.deepEqual(values(got), ['p0-m1', 'p0-m2', 'p0-m3', 'p1-m3']);
  // Stored positions win over the group's offsets.
  const { got: again } = await consume(s, [{ topic, partition: 0, offset: '3' }, { topic, partition: 1, offset: '4' }], 'none', (g) => g.length >= 1, 1500);
  assert.deepEqual(values(again), ['p0-m3']);
  assert.deepEqual(await s.endPositions(), [{ topic, partition: 0, offset: '4' }, { topic, partition: 1, offset: '4' }]);
  const other = stream(topic);
  assert.deepEqual(await other.startPositions('earliest'), [{ topic, partition: 0, offset: '1' }, { topic, partition: 1, offset: '3' }], 'a second client sees the committed offsets');
  await other.close();
  await s.close();
});

test('broker down: status says retrying with the reason, consumption resumes when it returns, nothing lost', async () => {
  const topic = await topicWith(2, 2);
  const statuses: StreamStatus[] = [];
  const s = stream(topic, statuses);
  const got: RawMessage[] = [];
  const ac = new AbortController();
  const run = s.run({ from: [], reset: 'earliest', signal: ac.signal, onBatch: async (b) => { got.push(...b.partitions.flatMap((p) => p.messages)); if (got.length >= 6) ac.abort(); } });
  while (got.length < 4) await new Promise((r) => setTimeout(r, 20));
  assert.match(await kafka.command('down 1'), /^ok/);
  while (!statuses.some((x) => x.state === 'retrying')) await new Promise((r) => setTimeout(r, 50));
  assert.match(await kafka.command('up 1'), /^ok/);
  await kafka.produce(topic, [{ partition: 0, value: 'after-0' }, { partition: 1, value: 'after-1' }]);
  const timer = setTimeout(() => ac.abort('timeout'), 20_000);
  await run;
  clearTimeout(timer);
  await s.close();
  assert.notEqual(ac.signal.reason, 'timeout');
  assert.deepEqual(values(got), ['after-0', 'after-1', 'p0-m0', 'p0-m1', 'p1-m0', 'p1-m1']);
  const retrying = statuses.find((x) => x.state === 'retrying');
  assert.ok(retrying && retrying.state === 'retrying' && retrying.reason.length > 0, JSON.stringify(statuses));
  const states = statuses.map((x) => x.state);
  assert.equal(states.at(-1), 'stopped');
  assert.equal(states.lastIndexOf('running') > states.indexOf('retrying'), true, `back to running after retrying: ${states.join(',')}`);
});

test('TiCDC-format messages through the broker decode to the changes that were produced (canal-json and open protocol)', async () => {
  const { createDecoder, encodeCanalJson } = await import('../../../src/stream/decoders/index.js');
  const { readFileSync } = await import('node:fs');
  const schema = { db: 'd', table: 't', key: ['id'], keyKind: 'primary', columns: [{ name: 'id', kind: 'integer', sqlType: 'bigint', nullable: false }, { name: 'v', kind: 'string', sqlType: 'text', nullable: true }] } as const;
  const t1 = { db: 'test', table: 't1', key: ['id'], keyKind: 'primary', columns: [{ name: 'id', kind: 'integer', sqlType: 'int', nullable: false }, { name: 'val', kind: 'string', sqlType: 'varchar(16)', nullable: true }] } as const;
  const events = Array.from({ length: 40 }, (_, i) => ({ kind: 'row', op: 'insert', db: 'd', table: 't', commitTs: 449930145454456833n + BigInt(i), before: null, after: { id: 9007199254740993n + BigInt(i), v: `值 ${i}` } }) as const);
  const topic = await topicWith(3, 0);
  await kafka.produce(topic, events.map((e, i) => ({ partition: i % 3, key: String(e.after.id), value: encodeCanalJson(e, schema) })));
  const s1 = stream(topic);
  const { got } = await consume(s1, [], 'earliest', (g) => g.length >= 40);
  await s1.close();
  const canal = createDecoder('auto', { tableSchema: (db, t) => (db === 'd' && t === 't' ? schema : undefined), timeZoneOffsetMinutes: 0 });
  const decoded = got.flatMap((m) => canal.decode(m));
  assert.equal(canal.protocol, 'canal-json');
  assert.deepEqual(decoded.sort((a, b) => (a.kind === 'row' && b.kind === 'row' ? Number(a.commitTs - b.commitTs) : 0)), events);

  const openTopic = await topicWith(1, 0);
  const bin = (n: string) => readFileSync(`${ticdcSamplesDir}/open-protocol-${n}.bin`);
  await kafka.produce(openTopic, ['insert-batch', 'update', 'resolved'].map((n) => ({ partition: 0, key: bin(`${n}.key`), value: bin(`${n}.value`) })));
  const s2 = stream(openTopic);
  const { got: openMsgs } = await consume(s2, [], 'earliest', (g) => g.length >= 3);
  await s2.close();
  const open = createDecoder('auto', { tableSchema: (db, t) => (db === 'test' && t === 't1' ? t1 : undefined), timeZoneOffsetMinutes: 0 });
  assert.deepEqual(openMsgs.flatMap((m) => open.decode(m)).map((i) => (i.kind === 'row' ? `${i.op}:${JSON.stringify(i.after)}` : `${i.kind}:${'commitTs' in i ? i.commitTs : ''}`)), [
    'insert:{"id":1,"val":"aa"}', 'insert:{"id":2,"val":"bb"}', 'update:{"id":2,"val":"cc"}', 'resolved:449930145454456864',
  ]);
});
