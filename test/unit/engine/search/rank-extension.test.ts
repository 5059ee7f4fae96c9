// tsrank (native/tsrank.c) ranks as FTS5's bm25() does, bit for bit, with the row lengths held in memory: on
// single terms, weighted columns, several phrases; after the change writer inserts, updates and deletes rows
// (the connection re-reads the lengths the norm log names); after the log was trimmed past what a connection
// saw (it reads them all again). And the searcher's answers are the same with it and without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FieldSpec, IndexSpec } from '../../../../src/core/schema.js';
import type { RowImage } from '../../../../src/core/value.js';
import { docKeyOf } from '../../../../src/core/doc-key.js';
import { GenerationWriter, type DocOp } from '../../../../src/engine/store/writer.js';
import { createFtsTable } from '../../../../src/engine/store/generation-file.js';
import { NormLog, createNormLog } from '../../../../src/engine/store/norm-log.js';
import { createSearcher, rankExtensionProblem } from '../../../../src/engine/search/index.js';
import { loadRankFunction } from '../../../../src/engine/store/rank-extension.js';
import { buildGeneration, fakeAnalyzers } from './books-fixture.js';

const field = (name: string, kind: FieldSpec['kind'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind, token: isKey ? 'string' : 'standard', search: true, isKey });
const spec: IndexSpec = { name: 'notes', db: 'd', table: 'notes', key: ['id'], fields: [field('id', 'integer', true), field('title', 'string'), field('body', 'string')] };
const VOCAB = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];

/** A seeded generator (the same notes every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Note {
  readonly id: number;
  readonly title: string;
  readonly body: string;
}

// Zipf-like word choice, so `alpha` is in most rows (more hits than tsrank needs to read the lengths) and
// `theta` in few; bodies of 0-40 words, so lengths vary.
function notes(from: number, n: number, rnd: () => number): Note[] {
  const word = () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(-Math.log(1 - rnd()) * 2))]!;
  const text = (max: number) => Array.from({ length: Math.floor(rnd() * max) }, word).join(' ');
  return Array.from({ length: n }, (_, i) => ({ id: from + i, title: text(4), body: text(40) }));
}

const row = (n: Note): RowImage => ({ id: n.id, title: n.title, body: n.body });

/** A sealed generation of `all` (versions 100), without top-K lists. */
const build = (all: readonly Note[]) => buildGeneration(spec, all.map(row), fakeAnalyzers, { k: 10, minDocs: 1_000_000 });

const MATCHES = [
  '{t1} : ("alpha")',
  '{t0 t1} : ("alpha")',
  '{t0} : ("beta")',
  '{t1} : ("theta")',
  '{t0 t1} : ("alpha" OR "gamma")',
  '{t1} : ("alpha" AND "beta")',
  '{t1} : ("alpha beta")',
  '{t0 t1} : ("delta") NOT {t1} : ("alpha")',
];
const WEIGHTS = ['', ', 1', ', 2.5, 0.5', ', 0, 3'];

/** Every hit's score under both functions, in rowid order: [rowid, bm25, tsrank]. */
function bothScores(db: Database.Database, match: string, weights: string): [number, number, number][] {
  return db.prepare(`SELECT rowid, bm25(fts${weights}), tsrank(fts${weights}) FROM fts WHERE fts MATCH ? ORDER BY rowid`).raw(true).all(match) as [number, number, number][];
}

function assertSameScores(db: Database.Database, when: string): number {
  let compared = 0;
  for (const m of MATCHES) {
    for (const w of WEIGHTS) {
      const rows = bothScores(db, m, w);
      const differ = rows.filter((r) => !Object.is(r[1], r[2]));
      assert.deepEqual(differ.slice(0, 3), [], `${when}: ${m} weights(${w}) differ on ${differ.length} of ${rows.length} rows`);
      compared += rows.length;
    }
  }
  return compared;
}

test('the tsrank extension is built and loads (npm ci builds it; without it every search ranks with bm25)', () => {
  assert.equal(rankExtensionProblem(), null);
});

test('tsrank equals bm25() bit for bit, from lengths in memory, before and after the change writer rewrites rows', () => {
  const rnd = random(7);
  // Row 3000 is longer than the 16-bit lengths held in memory: its length is looked up.
  const long: Note = { id: 3000, title: 'alpha', body: 'alpha beta '.repeat(40_000) };
  const g = build([...notes(1, 2999, rnd), long]);
  const reader = new Database(g.file, { readonly: true });
  const writer = new GenerationWriter(g.file, spec);
  try {
    assert.equal(loadRankFunction(reader), 'tsrank');
    const held = () => reader.prepare('SELECT tsrank_norms()').pluck().get() as number;
    assert.equal(held(), -1, 'no lengths read before a query with many hits');
    assert.ok(assertSameScores(reader, 'sealed') > 10_000);
    assert.equal(held(), 2999, 'every row length in memory but the one too long for it');

    // Updates that change lengths, deletes, and inserts past the largest rid the connection holds.
    let version = 101n;
    for (let round = 0; round < 4; round++) {
      const ops: DocOp[] = [];
      for (const n of notes(1 + Math.floor(rnd() * 2900), 60, rnd)) ops.push({ kind: 'upsert', key: docKeyOf(spec.key, { id: n.id }), version, values: row(n), tokens: [n.title, n.body] });
      for (let i = 0; i < 20; i++) ops.push({ kind: 'delete', key: docKeyOf(spec.key, { id: 1 + Math.floor(rnd() * 2999) }), version });
      for (const n of notes(3001 + round * 500, 500, rnd)) ops.push({ kind: 'upsert', key: docKeyOf(spec.key, { id: n.id }), version, values: row(n), tokens: [n.title, n.body] });
      writer.apply(ops, [], (incoming, stored) => stored === undefined || incoming > stored);
      version++;
      assertSameScores(reader, `after change batch ${round + 1}`);
      const rows = reader.prepare('SELECT count(*) FROM fts_docsize').pluck().get() as number;
      assert.equal(held(), rows - 1, 'lengths in memory for exactly the rows that have one, but the long one');
    }
  } finally {
    writer.close();
    reader.close();
    g.cleanup();
  }
});

test('a connection behind a trimmed norm log reads every length again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-tsrank-'));
  try {
    const file = join(dir, 'f.sqlite');
    const w = new Database(file);
    w.pragma('journal_mode = WAL');
    createFtsTable(w, ['t0', 't1']);
    createNormLog(w);
    const rnd = random(11);
    const put = w.prepare('INSERT INTO fts(rowid, t0, t1) VALUES (?, ?, ?)');
    w.transaction(() => {
      for (const n of notes(1, 2500, rnd)) put.run(n.id, n.title, n.body);
    })();
    const reader = new Database(file, { readonly: true });
    loadRankFunction(reader);
    assertSameScores(reader, 'before');
    // Rewrite rows with other lengths, logging them with a log that keeps one entry: the reader's last seq
    // falls out of the log.
    const log = new NormLog(w, 1);
    const del = w.prepare('DELETE FROM fts WHERE rowid = ?');
    w.transaction(() => {
      for (let rid = 1; rid <= 200; rid++) {
        del.run(rid);
        put.run(rid, 'alpha alpha', VOCAB.join(' ').repeat(1 + (rid % 5)));
        log.changed(rid);
      }
      log.trim();
    })();
    assert.equal(w.prepare('SELECT count(*) FROM norm_log').pluck().get(), 1);
    assertSameScores(reader, 'after the trimmed log');
    reader.close();
    w.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the searcher answers the same with tsrank as with bm25 (pages, scores, numFound)', () => {
  const g = build(notes(1, 2500, random(3)));
  const withExt = createSearcher(g.file, spec, fakeAnalyzers);
  const plain = createSearcher(g.file, spec, fakeAnalyzers, { rank: 'bm25' });
  try {
    const requests = [
      { q: 'body:alpha', rows: 10, fl: 'id,score' },
      { q: 'alpha', rows: 20, start: 30, fl: 'id,score' },
      { q: 'alpha gamma', defType: 'edismax' as const, qf: 'title^3 body', rows: 10, fl: 'id,score' },
      { q: 'title:beta AND body:alpha', rows: 10, fl: 'id,score' },
      { q: 'body:"alpha beta"', rows: 10, fl: 'id,score' },
      { q: 'body:alpha', fq: ['title:gamma'], rows: 10, fl: 'id,score' },
    ];
    for (const r of requests) {
      const a = withExt.search(r);
      const b = plain.search(r);
      assert.ok(a.numFound > 0, JSON.stringify(r));
      assert.deepEqual(a, b, JSON.stringify(r));
    }
  } finally {
    withExt.close();
    plain.close();
    g.cleanup();
  }
});
