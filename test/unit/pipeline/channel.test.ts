// The channel over a scripted change stream: every partition of a batch lands with its position in one
// write, what status counts (each stream event once, whether the build's catch-up or the live loop applied
// it), and a lag that says when commit times are ahead of the clock instead of reading 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawMessage, StreamPosition } from '../../../src/core/change.js';
import type { FieldSpec, IndexSpec, TableSchema } from '../../../src/core/schema.js';
import { tsoFromMillis } from '../../../src/core/tso.js';
import { GenerationBuilder } from '../../../src/engine/store/builder.js';
import { GenerationWriter } from '../../../src/engine/store/writer.js';
import { Channel } from '../../../src/pipeline/channel.js';
import { tableSchemaOf } from '../../../src/pipeline/change-ops.js';
import type { ChangeStream, ChangeStreamRunOptions } from '../../../src/stream/change-stream.js';
import { encodeCanalJson } from '../../../src/stream/decoders/index.js';
import { fakeAnalyzers } from '../engine/search/books-fixture.js';

const field = (name: string, kind: FieldSpec['kind'], token: FieldSpec['token'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind === 'integer' ? 'int' : 'text', token, search: true, isKey });
const spec: IndexSpec = { name: 'notes', db: 'd', table: 'notes', key: ['id'], fields: [field('id', 'integer', 'string', true), field('body', 'string', 'standard')] };
const schema: TableSchema = tableSchemaOf(spec);
const TOPIC = 't';
const PARTITIONS = 3;
const SNAPSHOT = tsoFromMillis(Date.now() - 60_000);

/** A topic held in memory; each run delivers what is there from the given positions, one fetch at a time. */
function topic() {
  const parts: RawMessage[][] = Array.from({ length: PARTITIONS }, () => []);
  const batches: number[][] = [];
  const put = (id: number, body: string | null, commitTs: bigint) => {
    const p = parts[id % PARTITIONS]!;
    const event = body === null
      ? { kind: 'row' as const, op: 'delete' as const, db: 'd', table: 'notes', commitTs, before: { id, body: 'x' }, after: null }
      : { kind: 'row' as const, op: 'insert' as const, db: 'd', table: 'notes', commitTs, before: null, after: { id, body } };
    p.push({ topic: TOPIC, partition: id % PARTITIONS, offset: String(p.length), key: null, value: Buffer.from(encodeCanalJson(event, schema)), timestampMs: 0 });
  };
  const open = (): ChangeStream => ({
    async run(r: ChangeStreamRunOptions) {
      const at = new Map(r.from.map((p) => [p.partition, Number(p.offset)]));
      while (!r.signal.aborted) {
        const partitions = parts
          .map((msgs, partition) => ({ partition, highWatermark: String(msgs.length), messages: msgs.slice(at.get(partition) ?? 0, (at.get(partition) ?? 0) + 4) }))
          .filter((p) => p.messages.length);
        for (const p of partitions) at.set(p.partition, (at.get(p.partition) ?? 0) + p.messages.length);
        if (partitions.length) {
          batches.push(partitions.map((p) => p.partition));
          await r.onBatch({ topic: TOPIC, partitions });
        } else await new Promise((res) => setTimeout(res, 2));
      }
    },
    commit: async () => {},
    startPositions: async () => [],
    endPositions: async () => parts.map((msgs, partition) => ({ topic: TOPIC, partition, offset: String(msgs.length) })),
    close: async () => {},
  });
  const end = (): StreamPosition[] => parts.map((msgs, partition) => ({ topic: TOPIC, partition, offset: String(msgs.length) }));
  return { put, open, end, batches };
}

function generation(): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-channel-'));
  const file = join(dir, 'gen.sqlite');
  const b = new GenerationBuilder(file, spec);
  b.setSnapshot(SNAPSHOT);
  b.insertDocs([], SNAPSHOT);
  b.seal();
  b.close();
  const w = new GenerationWriter(file, spec);
  w.apply([], Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition, offset: '0' })), () => false);
  w.close();
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function channel(open: () => ChangeStream): Channel {
  const catalog = { addDeadLetter: () => 1, setChannelState: () => {}, addDdl: () => {}, markRebuildNeeded: () => {} };
  return new Channel({
    spec,
    analyzers: fakeAnalyzers,
    catalog: catalog as never,
    openStream: open,
    incr: { plugin: 'TiCDC-Kafka', mqAddress: '', topic: TOPIC, groupId: 'g', offsetResetStrategy: 'earliest', protocol: 'canal-json', maxWaitMs: 100, deadLetterLimit: 0, timeZone: '+00:00' },
  });
}

async function until(cond: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 10_000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const bodies = (file: string) => {
  const w = new GenerationWriter(file, spec);
  try {
    return w.db.prepare('SELECT doc_key, f1 FROM docs ORDER BY CAST(doc_key AS INTEGER)').raw(true).all();
  } finally {
    w.close();
  }
};

test('a backlog caught up by the build counts in status once; the live channel then counts only what follows', async () => {
  const t = topic();
  const g = generation();
  const ts = SNAPSHOT + 1000n;
  for (let id = 0; id < 30; id++) t.put(id, `note ${id}`, ts + BigInt(id));
  const ch = channel(t.open);
  try {
    const w = new GenerationWriter(g.file, spec);
    try {
      await ch.catchUp(w, t.end(), new AbortController().signal);
      assert.deepEqual(w.positions(), t.end(), 'caught up to the end of every partition');
    } finally {
      w.close();
    }
    assert.ok(t.batches.some((b) => b.length === PARTITIONS), 'fetches carry several partitions');
    assert.equal(ch.status().applied, 30, 'the catch-up applied the backlog: it counts');
    ch.start(g.file);
    for (let id = 30; id < 40; id++) t.put(id, `note ${id}`, ts + BigInt(id));
    t.put(3, null, ts + 100n);
    await until(() => ch.status().applied + ch.status().skipped >= 41);
    const s = ch.status();
    assert.equal(s.applied, 41);
    assert.equal(s.skipped, 0);
    assert.equal(s.last60Sec, 41);
    assert.deepEqual(s.positions, t.end());
    await ch.stop();
    assert.deepEqual(
      bodies(g.file),
      Array.from({ length: 40 }, (_, id) => id).filter((id) => id !== 3).map((id) => [String(id), `note ${id}`]),
    );
  } finally {
    await ch.stop();
    g.cleanup();
  }
});

test('a catch-up re-reading what the live channel applied does not count it again; what is new it counts', async () => {
  const t = topic();
  const live = generation();
  const next = generation();
  const ts = SNAPSHOT + 1000n;
  for (let id = 0; id < 20; id++) t.put(id, `note ${id}`, ts + BigInt(id));
  const ch = channel(t.open);
  try {
    ch.start(live.file);
    await until(() => ch.status().applied >= 20);
    await ch.stop();
    for (let id = 20; id < 25; id++) t.put(id, `note ${id}`, ts + BigInt(id));
    const w = new GenerationWriter(next.file, spec);
    try {
      await ch.catchUp(w, t.end(), new AbortController().signal);
    } finally {
      w.close();
    }
    assert.equal(ch.status().applied, 25, '20 live + 5 new in the catch-up, the 20 re-read not again');
    assert.equal(bodies(next.file).length, 25, 'the new generation holds all of them');
  } finally {
    await ch.stop();
    live.cleanup();
    next.cleanup();
  }
});

test('lag is now − commit time, negative when the commit time is ahead of this clock', async () => {
  const t = topic();
  const g = generation();
  const ch = channel(t.open);
  try {
    ch.start(g.file);
    t.put(1, 'ahead', tsoFromMillis(Date.now() + 600_000));
    await until(() => ch.status().applied >= 1);
    const lag = ch.status().lagMs!;
    assert.ok(lag < -590_000 && lag > -600_001, `lag ${lag}`);
  } finally {
    await ch.stop();
    g.cleanup();
  }
});
