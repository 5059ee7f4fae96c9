// Shards written apart and spliced into one FTS5 table give the index a single writer would have built:
// the same terms, document counts, instances and bm25 scores; FTS5's own integrity-check passes; and the
// spliced index goes on taking deletes and inserts (the change stream's writes) like any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createFtsTable } from '../../../../src/engine/store/generation-file.js';
import { FtsShardWriter, type ShardWriteOptions } from '../../../../src/engine/store/fts-shard.js';
import { decodeAverages, decodeStructure, encodeAverages, encodeStructure, spliceFtsShards, SPLICED_LEVEL } from '../../../../src/engine/store/fts-splice.js';

const COLS = ['t0', 't1'];

/** Seeded rows of Zipf-like words (ASCII and Han), some columns empty. */
function rows(n: number, seed: number): { rid: number; texts: [string, string] }[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const vocab = Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? String.fromCodePoint(0x4e00 + i) : `w${i}`));
  const word = () => vocab[Math.floor(vocab.length * rnd() ** 3)]!;
  const text = (len: number) => Array.from({ length: len }, word).join(' ');
  return Array.from({ length: n }, (_, i) => ({ rid: i + 1, texts: [rnd() < 0.1 ? '' : text(1 + Math.floor(rnd() * 30)), text(Math.floor(rnd() * 4))] }));
}

function openTarget(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('page_size = 65536');
  db.pragma('journal_mode = OFF');
  createFtsTable(db, COLS);
  return db;
}

/** The reference: one writer, rows in rid order, then optimize (as a generation is sealed). */
function referenceIndex(file: string, data: readonly { rid: number; texts: [string, string] }[]): Database.Database {
  const ref = openTarget(file);
  const ins = ref.prepare('INSERT INTO fts(rowid, t0, t1) VALUES (?, ?, ?)');
  ref.transaction(() => data.forEach((r) => ins.run(r.rid, ...r.texts)))();
  ref.exec("INSERT INTO fts(fts) VALUES ('optimize')");
  return ref;
}

/** An empty FTS5 table on a connection that has cached nothing of it, as the splice needs. */
function spliceTarget(file: string): Database.Database {
  openTarget(file).close();
  return new Database(file);
}

function structureOf(db: Database.Database) {
  return decodeStructure(db.prepare('SELECT block FROM fts_data WHERE id = 10').pluck().get() as Uint8Array);
}

function snapshot(db: Database.Database, terms: readonly string[]) {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, 'fts', 'col')");
  const vocab = db.prepare('SELECT term, col, doc, cnt FROM temp.v ORDER BY term, col').all();
  const ranked = terms.map((t) => db.prepare('SELECT rowid, bm25(fts) AS s FROM fts WHERE fts MATCH ? ORDER BY bm25(fts), rowid LIMIT 25').all(`"${t}"`));
  const count = db.prepare("SELECT count(*) FROM fts WHERE fts MATCH 'w0 OR w1 OR w2'").pluck().get();
  return { vocab, ranked, count };
}

test('two shards spliced (merged into one segment or not) equal one table written by one writer, and keep taking writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-fts-splice-'));
  try {
    const data = rows(6000, 7);
    const ref = referenceIndex(join(dir, 'ref.sqlite'), data);

    // Two shards take interleaved batches of 250 rows, as the analysis threads do.
    const shards = [new FtsShardWriter(join(dir, 's0.sqlite'), COLS), new FtsShardWriter(join(dir, 's1.sqlite'), COLS)];
    for (let at = 0, b = 0; at < data.length; at += 250, b++) {
      const batch = data.slice(at, at + 250);
      shards[b % 2]!.insert(batch.map((r) => r.rid), batch.flatMap((r) => r.texts));
    }
    assert.equal(shards[0]!.rows + shards[1]!.rows, data.length);
    for (const s of shards) s.finish();

    const splice = (name: string) => {
      const splicer = spliceTarget(join(dir, name));
      const stats = spliceFtsShards(splicer, shards.map((s) => s.file), COLS.length);
      splicer.close();
      assert.equal(stats.rows, data.length);
      assert.equal(stats.segments, 2);
      return new Database(join(dir, name));
    };
    // Spliced and merged into one segment, and spliced only (the shards' two segments, as a build keeps them).
    const gen = splice('gen.sqlite');
    gen.exec("INSERT INTO fts(fts) VALUES ('optimize')");
    const kept = splice('kept.sqlite');
    const terms = ['w1', 'w2', 'w5', 'w40', String.fromCodePoint(0x4e00), String.fromCodePoint(0x4e00 + 3), 'w301'];
    for (const db of [gen, kept]) {
      db.exec("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)");
      assert.deepEqual(snapshot(db, terms), snapshot(ref, terms));
    }

    // The change stream's writes: deletes of rows from both shards, updates (delete + insert), new rows.
    for (const db of [gen, kept, ref]) {
      const del = db.prepare('DELETE FROM fts WHERE rowid = ?');
      const put = db.prepare('INSERT INTO fts(rowid, t0, t1) VALUES (?, ?, ?)');
      db.transaction(() => {
        for (let rid = 3; rid <= 6000; rid += 97) del.run(rid);
        for (let rid = 10; rid <= 6000; rid += 301) {
          del.run(rid);
          put.run(rid, 'w1 w1 w2 changed', 'w5');
        }
        for (let rid = 6001; rid <= 6100; rid++) put.run(rid, `w1 w${rid % 50} new`, '');
      })();
      db.exec("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)");
    }
    assert.deepEqual(snapshot(gen, [...terms, 'changed', 'new']), snapshot(ref, [...terms, 'changed', 'new']));
    assert.deepEqual(snapshot(kept, [...terms, 'changed', 'new']), snapshot(ref, [...terms, 'changed', 'new']));
    // FTS5's own merges go on over the spliced segments.
    kept.exec("INSERT INTO fts(fts) VALUES ('optimize')");
    kept.exec("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)");
    assert.deepEqual(snapshot(kept, [...terms, 'changed', 'new']), snapshot(ref, [...terms, 'changed', 'new']));
    kept.close();
    gen.close();
    ref.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A shard written in batches of 200 rows, and its structure record before finish(). */
function writeShard(file: string, data: ReturnType<typeof rows>, options: ShardWriteOptions) {
  const shard = new FtsShardWriter(file, COLS, options);
  for (let at = 0; at < data.length; at += 200) {
    const batch = data.slice(at, at + 200);
    shard.insert(batch.map((r) => r.rid), batch.flatMap((r) => r.texts));
  }
  const peek = new Database(shard.file, { readonly: true });
  const written = structureOf(peek);
  peek.close();
  return { shard, written };
}

/** Finishes `shard`, splices it alone into a new target `file`: one segment, intact, answering as `ref` does. */
function assertSplicesAlike(shard: FtsShardWriter, file: string, ref: Database.Database, terms: readonly string[]): void {
  shard.finish();
  const gen = spliceTarget(file);
  assert.equal(spliceFtsShards(gen, [shard.file], COLS.length).segments, 1);
  gen.exec("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)");
  assert.deepEqual(snapshot(gen, terms), snapshot(ref, terms));
  gen.close();
}

test('a shard written over many commits and flushes (and crisis merges) ends as one segment equal to one writer\'s index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-fts-splice-'));
  try {
    const data = rows(6000, 13);
    const ref = referenceIndex(join(dir, 'ref.sqlite'), data);
    const terms = ['w1', 'w2', 'w7', 'w90', String.fromCodePoint(0x4e00 + 6)];
    // A commit every 500 rows and a 16 KiB hash: dozens of segments, all on level 0 (automerge is off).
    const plain = writeShard(join(dir, 's0.sqlite'), data, { commitRows: 500, hashBytes: 16 * 1024 });
    assert.ok(plain.written.levels[0]!.segments.length >= 12, `${plain.written.levels[0]!.segments.length} segments before finish`);
    assert.ok(plain.written.levels.slice(1).every((l) => l.segments.length === 0), 'nothing merged while writing');
    assertSplicesAlike(plain.shard, join(dir, 'gen.sqlite'), ref, terms);

    // A shard big enough to reach FTS5's crisis merge (here at 6 segments on a level) while it is written.
    const crisis = writeShard(join(dir, 's1.sqlite'), data, { commitRows: 500, hashBytes: 16 * 1024, crisisSegments: 6 });
    assert.ok(crisis.written.levels.slice(1).some((l) => l.segments.length > 0), 'the crisis merge moved segments up a level');
    assertSplicesAlike(crisis.shard, join(dir, 'gen2.sqlite'), ref, terms);
    ref.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a shard that is discarded leaves no file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-fts-splice-'));
  try {
    const s = new FtsShardWriter(join(dir, 's.sqlite'), COLS);
    s.insert([1, 2], ['a', 'b', 'c', '']);
    s.discard();
    assert.equal(existsSync(join(dir, 's.sqlite')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('structure and averages records survive a round trip, multi-byte varints included', () => {
  const s = {
    cookie: 0xfedcba98,
    writeCounter: 2 ** 40 + 5,
    levels: [
      { nMerge: 0, segments: [{ segid: 1, pgnoFirst: 1, pgnoLast: 300, origin1: 1, origin2: 1, nPgTombstone: 0, nEntryTombstone: 0, nEntry: 70000 }] },
      { nMerge: 0, segments: [{ segid: 65535, pgnoFirst: 1, pgnoLast: 2 ** 31 - 1, origin1: 2, origin2: 2 ** 50 + 8, nPgTombstone: 3, nEntryTombstone: 129, nEntry: 2 ** 50 }] },
    ],
  };
  assert.deepEqual(decodeStructure(encodeStructure(s)), s);
  assert.deepEqual(decodeAverages(encodeAverages([1_000_000, 123_456_789, 0]), 2), [1_000_000, 123_456_789, 0]);
  assert.deepEqual(decodeAverages(new Uint8Array(), 2), [0, 0, 0]);
  assert.throws(() => decodeStructure(Uint8Array.from([0, 0, 0, 1, 0, 0, 0])), /V2/);
});

test('spliced segments sit far above the change writer\'s, so its commits do not merge them: 300 small commits leave them as spliced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-fts-splice-'));
  try {
    const data = rows(6000, 11);
    const shards = [new FtsShardWriter(join(dir, 's0.sqlite'), COLS), new FtsShardWriter(join(dir, 's1.sqlite'), COLS)];
    // Each shard's rows fit in one FTS5 flush: it holds one segment, at level 0.
    for (let at = 0, b = 0; at < data.length; at += 50, b++) {
      const batch = data.slice(at, at + 50);
      shards[b % 2]!.insert(batch.map((r) => r.rid), batch.flatMap((r) => r.texts));
    }
    for (const s of shards) s.finish();
    const db = spliceTarget(join(dir, 'gen.sqlite'));
    spliceFtsShards(db, shards.map((s) => s.file), COLS.length);
    const spliced = structureOf(db);
    const levelOf = new Map(spliced.levels.flatMap((l, i) => l.segments.map((g) => [g.segid, i] as const)));
    assert.deepEqual([...levelOf.keys()].sort(), [1, 2]);
    // Far above: the writer's segments need 16^(level - 1) commits to climb there.
    assert.ok(SPLICED_LEVEL >= 4 && [...levelOf.values()].every((l) => l === SPLICED_LEVEL), `spliced at levels ${[...levelOf.values()]}`);
    // 300 commits of 40 rows each, as a channel writes (automerge 16 on the generation's table): the writer's
    // segments are merged among themselves, below. (At 1M rows, spliced at level 1, the channel's segments joined
    // them there after ~224 commits of 200 updates and FTS5 rewrote the whole index: fts-splice.ts.)
    const put = db.prepare('INSERT INTO fts(rowid, t0, t1) VALUES (?, ?, ?)');
    const more = rows(12_000, 12);
    for (let c = 0; c < 300; c++) db.transaction(() => more.slice(c * 40, c * 40 + 40).forEach((r) => put.run(6000 + r.rid, ...r.texts)))();
    const after = structureOf(db);
    for (const [segid, lvl] of levelOf) assert.ok(after.levels[lvl]!.segments.some((g) => g.segid === segid), `segment ${segid} still at level ${lvl}`);
    assert.ok(after.levels.slice(0, SPLICED_LEVEL).some((l) => l.segments.length > 0), 'the writer\'s segments below them');
    db.exec("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)");
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
