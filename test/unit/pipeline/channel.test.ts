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
import { Channel, type OpenWriter } from '../../../src/pipeline/channel.js';
import { ChangeOps, tableSchemaOf } from '../../../src/pipeline/change-ops.js';
import { openWriterThread, writerOnThisThread, type ChannelWriter } from '../../../src/pipeline/channel-writer.js';
import { createChannelWorkers, type ChannelWorkers } from '../../../src/pipeline/channel-workers.js';
import { createAnalyzers } from '../../../src/engine/analysis/index.js';
import type { AnalyzerRegistry } from '../../../src/engine/analysis/analyzer.js';
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
  const raw = (partition: number, value: string) => {
    const p = parts[partition]!;
    p.push({ topic: TOPIC, partition, offset: String(p.length), key: null, value: Buffer.from(value), timestampMs: 0 });
  };
  const put = (id: number, body: string | null, commitTs: bigint) => {
    const event = body === null
      ? { kind: 'row' as const, op: 'delete' as const, db: 'd', table: 'notes', commitTs, before: { id, body: 'x' }, after: null }
      : { kind: 'row' as const, op: 'insert' as const, db: 'd', table: 'notes', commitTs, before: null, after: { id, body } };
    raw(id % PARTITIONS, encodeCanalJson(event, schema));
  };
  /** An update; `to` another id is a key change (TiCDC sends it as one update on the old key's partition). */
  const update = (id: number, before: string, body: string, commitTs: bigint, to = id) => {
    raw(id % PARTITIONS, encodeCanalJson({ kind: 'row', op: 'update', db: 'd', table: 'notes', commitTs, before: { id, body: before }, after: { id: to, body } }, schema));
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
  return { put, update, raw, open, end, batches };
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

function channel(
  open: () => ChangeStream,
  more: { analyzers?: AnalyzerRegistry; workers?: ChannelWorkers; openWriter?: OpenWriter; deadLetters?: string[]; deadLetterLimit?: number; catalogStates?: [string, string | null][] } = {},
): Channel {
  const catalog = {
    addDeadLetter: (_: string, d: { reason: string }) => more.deadLetters?.push(d.reason) ?? 1,
    setChannelState: (_: string, state: string, reason: string | null) => more.catalogStates?.push([state, reason]),
    addDdl: () => {},
    markRebuildNeeded: () => {},
  };
  return new Channel({
    spec,
    analyzers: more.analyzers ?? fakeAnalyzers,
    ...(more.workers ? { workers: more.workers } : {}),
    ...(more.openWriter ? { openWriter: more.openWriter } : {}),
    catalog: catalog as never,
    openStream: open,
    incr: { plugin: 'TiCDC-Kafka', mqAddress: '', topic: TOPIC, groupId: 'g', offsetResetStrategy: 'earliest', protocol: 'canal-json', maxWaitMs: 100, deadLetterLimit: more.deadLetterLimit ?? 0, timeZone: '+00:00' },
  });
}

/** `w` as the channel's writer on this thread (the tests read its file through it afterwards). */
const onThisThread = (w: GenerationWriter): ChannelWriter => writerOnThisThread(w, new ChangeOps(spec, fakeAnalyzers));

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
    return w.db.prepare('SELECT doc_key, f1 FROM docs ORDER BY CAST(doc_key AS INTEGER)').raw(true).all() as [string, string][];
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
      await ch.catchUp(onThisThread(w), t.end(), new AbortController().signal);
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
      await ch.catchUp(onThisThread(w), t.end(), new AbortController().signal);
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

test('decoding and analysis on worker threads, and writing on a thread of its own, leave the same index and counts as on the channel thread', async () => {
  const t = topic();
  const ts = SNAPSHOT + 1000n;
  for (let id = 0; id < 60; id++) t.put(id, `note ${id} about ${id % 7 === 0 ? 'otters' : 'beavers'}`, ts + BigInt(id));
  for (let id = 0; id < 60; id += 3) t.update(id, `note ${id}`, `rewritten ${id} otters`, ts + 100n + BigInt(id));
  for (let id = 0; id < 60; id += 4) t.update(id, `rewritten ${id} otters`, `rewritten ${id} otters`, ts + 200n + BigInt(id)); // texts unchanged
  for (let id = 1; id < 60; id += 5) t.put(id, null, ts + 300n + BigInt(id));
  t.put(6, 'a replay older than its delete', ts + 1n); // skipped
  t.update(2, 'x', 'moved to key 102 otters', ts + 400n, 102); // a key change
  for (let id = 200; id < 230; id++) {
    t.put(id, `short-lived ${id}`, ts + 500n + BigInt(id)); // inserted, then deleted right after
    t.put(id, null, ts + 501n + BigInt(id));
  }
  t.raw(1, '{not json');
  t.raw(2, JSON.stringify({ database: 'd', table: 'other', type: 'INSERT', data: [{ id: '1' }], _tidb: { commitTs: String(ts) } }));
  const analyzers = createAnalyzers({});
  const run = async (workers?: ChannelWorkers, openWriter?: OpenWriter) => {
    const g = generation();
    const deadLetters: string[] = [];
    const ch = channel(t.open, { analyzers, deadLetters, ...(workers ? { workers } : {}), ...(openWriter ? { openWriter } : {}) });
    try {
      const cw = await ch.openWriter(g.file);
      try {
        await ch.catchUp(cw, t.end(), new AbortController().signal);
      } finally {
        await cw.close();
      }
      const w = new GenerationWriter(g.file, spec);
      try {
        const hits = (q: string) => w.db.prepare('SELECT d.doc_key FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ? ORDER BY CAST(d.doc_key AS INTEGER)').pluck().all(q);
        const { applied, skipped, ignored, rejected } = ch.status();
        return {
          counts: { applied, skipped, ignored, rejected },
          docs: bodies(g.file),
          tombstones: w.db.prepare('SELECT doc_key, version FROM tombstones ORDER BY CAST(doc_key AS INTEGER)').raw(true).all(),
          otters: hits('otters'),
          beavers: hits('beavers'),
          deadLetters,
        };
      } finally {
        w.close();
      }
    } finally {
      await ch.stop();
      g.cleanup();
    }
  };
  const here = await run();
  // A writer thread analyses the upserts that come without tokens (all of them, without channel workers).
  assert.deepEqual(await run(undefined, openWriterThread), here, 'the writer on a thread of its own');
  const workers = createChannelWorkers({ size: 2 });
  try {
    assert.deepEqual(await run(workers), here, 'decoding and analysis on the channel workers');
    assert.deepEqual(await run(workers, openWriterThread), here, 'channel workers and a writer thread');
  } finally {
    await workers.close();
  }
  assert.deepEqual(here.counts, { applied: 60 + 20 + 15 + 12 + 1 + 60, skipped: 1, ignored: 1, rejected: 1 });
  assert.equal(here.deadLetters.length, 1);
  assert.ok(here.docs.some(([k, b]) => k === '102' && b === 'moved to key 102 otters') && !here.docs.some(([k]) => k === '2'), 'the key change moved the document');
  assert.ok(here.otters.includes('102') && here.otters.includes('0') && !here.otters.includes('1'));
  assert.equal(here.tombstones.length, 12 + 1 + 30, 'deleted keys, the old key of the key change, the short-lived keys');
});

test('undecodable messages reaching deadLetterLimit stop the channel with the reason, on worker threads or not, and the index does not move past them', async () => {
  const workers = createChannelWorkers({ size: 2 });
  try {
    for (const [w, openWriter] of [[undefined, undefined], [workers, undefined], [workers, openWriterThread]] as const) {
      const t = topic();
      const g = generation();
      const ts = SNAPSHOT + 1000n;
      for (let id = 0; id < 15; id += 3) t.put(id, `note ${id}`, ts + BigInt(id)); // partition 0, offsets 0-4
      t.raw(0, 'garbage one'); // offset 5
      t.raw(0, 'garbage two'); // offset 6: the limit
      t.put(30, 'after the limit', ts + 30n);
      const deadLetters: string[] = [];
      const ch = channel(t.open, { deadLetters, deadLetterLimit: 2, ...(w ? { workers: w } : {}), ...(openWriter ? { openWriter } : {}) });
      try {
        ch.start(g.file);
        await until(() => ch.status().state === 'failed');
        assert.match(ch.status().reason ?? '', /2 undecodable messages reached deadLetterLimit 2; last at t-0@6/);
        assert.equal(deadLetters.length, 2);
        await ch.stop();
        const w2 = new GenerationWriter(g.file, spec);
        try {
          const at = Number(w2.positions().find((p) => p.partition === 0)!.offset);
          assert.ok(at <= 6, `partition 0 stored at ${at}: the message that reached the limit is read again after a restart`);
        } finally {
          w2.close();
        }
        assert.ok(!bodies(g.file).some(([k]) => k === '30'));
      } finally {
        await ch.stop();
        g.cleanup();
      }
    }
  } finally {
    await workers.close();
  }
});

test('a writer that fails (its thread died) stops the channel with the reason, in status and in the catalog; what it committed stays', async () => {
  const t = topic();
  const g = generation();
  const ts = SNAPSHOT + 1000n;
  // The generation's writer on this thread, whose second transaction fails as one on a dead thread does.
  const dying: OpenWriter = async (file, s, o) => {
    const w = writerOnThisThread(new GenerationWriter(file, s, o), new ChangeOps(s, fakeAnalyzers));
    let calls = 0;
    return { ...w, apply: (ops, pos) => (++calls > 1 ? Promise.reject(new Error(`the writer thread of ${file} exited with code 1`)) : w.apply(ops, pos)) };
  };
  const catalogStates: [string, string | null][] = [];
  for (let id = 0; id < 5; id++) t.put(id, `note ${id}`, ts + BigInt(id));
  const ch = channel(t.open, { openWriter: dying, catalogStates });
  try {
    ch.start(g.file);
    await until(() => ch.status().applied >= 5);
    const committed = ch.status().positions;
    t.put(9, 'never written', ts + 9n);
    await until(() => ch.status().state === 'failed');
    assert.match(ch.status().reason ?? '', /the writer thread of .* exited with code 1/);
    assert.deepEqual(catalogStates.at(-1)?.[0], 'failed');
    assert.match(catalogStates.at(-1)?.[1] ?? '', /exited with code 1/);
    await ch.stop();
    assert.deepEqual(bodies(g.file).map(([k]) => k), ['0', '1', '2', '3', '4'], 'the first transaction stays, the failed one left nothing');
    const w = new GenerationWriter(g.file, spec);
    try {
      assert.deepEqual(w.positions(), committed, 'a restart reads again from where the last commit left off');
    } finally {
      w.close();
    }
  } finally {
    await ch.stop();
    g.cleanup();
  }
});

test('while the writer commits a transaction, the next one is gathered, its new rows analysed on the workers, and it is handed to the writer', async () => {
  const t = topic();
  const g = generation();
  const ts = SNAPSHOT + 1000n;
  const real = createChannelWorkers({ size: 1 });
  let analysed = 0;
  const workers: ChannelWorkers = {
    size: real.size,
    prepare: (key, config, messages) => real.prepare(key, config, messages),
    analyse: async (key, config, texts) => {
      const tokens = await real.analyse(key, config, texts);
      analysed += texts.length;
      return tokens;
    },
    warm: (key, config) => real.warm(key, config),
    close: () => real.close(),
  };
  // The first commit is held until the test lets it go; later ones are written after it, in call order, as a
  // writer thread does. The operations are the writer's once the call returns (the channel lets go of them): a
  // held call keeps a copy.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let applies = 0;
  const slow: OpenWriter = async (file, s, o) => {
    const w = writerOnThisThread(new GenerationWriter(file, s, o), new ChangeOps(s, createAnalyzers({})));
    let last: Promise<unknown> = held;
    return {
      ...w,
      apply: (ops, pos) => {
        applies++;
        const copy = [...ops];
        const done = last.then(() => w.apply(copy, pos));
        last = done.catch(() => {});
        return done;
      },
    };
  };
  for (let id = 0; id < 3; id++) t.put(id, `first ${id}`, ts + BigInt(id));
  const ch = channel(t.open, { analyzers: createAnalyzers({}), workers, openWriter: slow });
  try {
    ch.start(g.file);
    await until(() => applies === 1 && analysed === 3);
    for (let id = 10; id < 13; id++) t.put(id, `second ${id}`, ts + BigInt(id));
    // Still inside the first commit: the next transaction's rows are analysed meanwhile, and the transaction is
    // handed to the writer without waiting for the first commit to be reported.
    await until(() => analysed === 6);
    await until(() => applies === 2);
    assert.equal(ch.status().applied, 0, 'nothing is counted before its commit is reported');
    release();
    await until(() => ch.status().applied === 6);
    assert.deepEqual(bodies(g.file).map(([k]) => k), ['0', '1', '2', '10', '11', '12']);
  } finally {
    release();
    await ch.stop();
    await real.close();
    g.cleanup();
  }
});
