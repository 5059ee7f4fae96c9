// The change writer against a model: any sequence of upserts and deletes, in any split into transactions,
// leaves documents, tombstones, full-text hits and the top-K bookkeeping exactly as applying the operations
// one by one says (version rule: newer than the snapshot and not older than what is held; equal applies),
// although the writer decides each key's ops together and writes only their net change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FieldSpec, IndexSpec } from '../../../../src/core/schema.js';
import type { RowImage } from '../../../../src/core/value.js';
import { GenerationBuilder } from '../../../../src/engine/store/builder.js';
import { GenerationWriter, type DocOp } from '../../../../src/engine/store/writer.js';
import { ftsTokens } from '../../../../src/engine/store/topk-tracker.js';
import { asciiTokens, countTopK } from '../../../../src/engine/store/topk-table.js';
import { versionRule } from '../../../../src/pipeline/version-rule.js';

const field = (name: string, kind: FieldSpec['kind'], token: FieldSpec['token'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind, token, search: true, isKey });
const spec: IndexSpec = {
  name: 'notes',
  db: 'd',
  table: 'notes',
  key: ['id'],
  fields: [field('id', 'integer', 'string', true), field('title', 'string', 'standard'), field('body', 'string', 'standard'), field('tag', 'string', 'string'), field('price', 'decimal', 'string')],
};
const VOCAB = ['alpha', 'beta', 'gamma', 'delta', 'eps'];
const SNAPSHOT = 10n;

interface Note {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  readonly tag: string | null;
  readonly price: string | null;
}
const row = (n: Note): RowImage => ({ id: n.id, title: n.title, body: n.body, tag: n.tag, price: n.price });
type Change = { kind: 'upsert'; note: Note; version: bigint } | { kind: 'delete'; id: number; version: bigint };

const words = (n: number) => fc.array(fc.constantFrom(...VOCAB), { maxLength: n }).map((w) => w.join(' '));
const noteArb = (id: fc.Arbitrary<number>) =>
  fc.record({ id, title: words(3), body: words(6), tag: fc.option(fc.constantFrom('x', 'y'), { nil: null }), price: fc.option(fc.constantFrom('1.50', '2.00', '10.25'), { nil: null }) });
const version = fc.bigInt({ min: 5n, max: 30n });
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('upsert' as const), note: noteArb(fc.integer({ min: 1, max: 14 })), version }),
  // an update that changes only the non-text fields of the note the generator picked
  fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 1, max: 14 }), version }),
);

interface ModelDoc {
  readonly version: bigint;
  readonly note: Note;
}

function build(notes: readonly Note[], k = 5): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-writer-'));
  const file = join(dir, 'gen.sqlite');
  const b = new GenerationBuilder(file, spec);
  b.setSnapshot(SNAPSHOT);
  const batch = b.insertDocs(notes.map(row), SNAPSHOT);
  b.insertTokens(batch.rids, batch.texts.map((t) => t ?? ''));
  // minDocs 1: every term gets a top-K, so the writer records touched terms for all of them; every tag value
  // held at seal gets a stored count.
  b.seal({ minDocs: 1, k, valueMinDocs: 1 });
  b.close();
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `use` on a writer over a generation holding one note (id 1), then closes and deletes it. */
function withOneNote(use: (w: GenerationWriter) => void): void {
  const g = build([{ id: 1, title: 'alpha', body: 'beta', tag: 'x', price: '1.50' }]);
  const w = new GenerationWriter(g.file, spec);
  try {
    use(w);
  } finally {
    w.close();
    g.cleanup();
  }
}

/** Token suppliers for upserts that count how often the writer asks for tokens. */
function countingTokens(): { tokens: (title: string, body: string) => () => string[]; asked: () => number } {
  let asked = 0;
  return {
    tokens: (title, body) => () => {
      asked++;
      return [title, body];
    },
    asked: () => asked,
  };
}

function check(w: GenerationWriter, docs: ReadonlyMap<number, ModelDoc>, tombs: ReadonlyMap<number, bigint>, touched: ReadonlySet<number>): void {
  const db = w.db;
  const stored = db.prepare('SELECT doc_key, version, f1, f2, f3, f4, f4_num FROM docs ORDER BY CAST(doc_key AS INTEGER)').raw(true).safeIntegers(true).all() as unknown[][];
  const want = [...docs].sort(([a], [b]) => a - b).map(([id, d]) => [String(id), d.version, d.note.title, d.note.body, d.note.tag, d.note.price, d.note.price === null ? null : Number(d.note.price)]);
  assert.deepEqual(stored, want, 'documents');
  const tomb = db.prepare('SELECT doc_key, version FROM tombstones ORDER BY CAST(doc_key AS INTEGER)').raw(true).safeIntegers(true).all();
  assert.deepEqual(tomb, [...tombs].sort(([a], [b]) => a - b).map(([id, v]) => [String(id), v]), 'tombstones');
  const keyOfRid = new Map((db.prepare('SELECT rid, doc_key FROM docs').raw(true).all() as [number, string][]).map(([r, k]) => [r, Number(k)]));
  for (const [col, pick] of [['t0', (n: Note) => n.title], ['t1', (n: Note) => n.body]] as const) {
    for (const term of VOCAB) {
      const hits = (db.prepare('SELECT rowid FROM fts WHERE fts MATCH ?').pluck().all(`{${col}} : ${term}`) as number[]).map((r) => keyOfRid.get(r) ?? `orphan rid ${r}`);
      const model = [...docs].filter(([, d]) => pick(d.note).split(' ').includes(term)).map(([id]) => id);
      assert.deepEqual(hits.sort(), model.sort(), `hits of ${col}:${term}`);
    }
  }
  // Top-K bookkeeping: while a list is left, every rid whose full-text columns changed since seal is touched; an
  // existing one has its current term counts. With none left (never planned, or all retired) nothing is recorded.
  const touchedRids = new Set(db.prepare('SELECT rid FROM touched').pluck().all() as number[]);
  const listsLeft = (db.prepare('SELECT count(*) FROM topk_terms').pluck().get() as number) > 0;
  if (!listsLeft) assert.equal(touchedRids.size, 0, 'no list left: no touched rids');
  for (const id of listsLeft ? touched : []) {
    const rid = [...keyOfRid].find(([, k]) => k === id)?.[0];
    if (rid !== undefined) assert.ok(touchedRids.has(rid), `rid of ${id} is touched`);
  }
  const terms = db.prepare('SELECT term, col, rid, tf FROM touched_terms ORDER BY rid, col, term').raw(true).all() as [string, string, number, number][];
  const wantTerms: [string, string, number, number][] = [];
  for (const rid of [...touchedRids].sort((a, b) => a - b)) {
    const id = keyOfRid.get(rid);
    if (id === undefined) continue;
    const n = docs.get(id)!.note;
    for (const [col, text] of [['t0', n.title], ['t1', n.body]] as const) {
      const counts = new Map<string, number>();
      for (const t of text.split(' ').filter(Boolean)) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [t, tf] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) wantTerms.push([t, col, rid, tf]);
    }
  }
  const frequent = new Set(db.prepare('SELECT term FROM topk_terms').pluck().all() as string[]);
  assert.deepEqual(terms, wantTerms.filter(([t]) => frequent.has(t)), 'touched terms');
  // A list stays while at most K changed rows hold its term; past that it is retired, with its rows.
  const k = (JSON.parse(db.prepare("SELECT value FROM meta WHERE key = 'topk'").pluck().get() as string) as { k: number }).k;
  const holders = new Map<string, Set<number>>();
  for (const [t, , rid] of wantTerms) (holders.get(t) ?? holders.set(t, new Set()).get(t)!).add(rid);
  for (const t of frequent) assert.ok((holders.get(t)?.size ?? 0) <= k, `${t} is listed with ${holders.get(t)?.size} changed holders`);
  const listed = db.prepare('SELECT DISTINCT term FROM topk').pluck().all() as string[];
  assert.deepEqual(listed.filter((t) => !frequent.has(t)), [], 'stored rows of retired lists');
  assert.doesNotThrow(() => db.exec("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)"), 'FTS5 integrity');
  // The stored document count (doc-count.ts) follows inserts and deletes.
  assert.equal(Number(db.prepare("SELECT value FROM meta WHERE key = 'doc_count'").pluck().get()), docs.size, 'stored document count');
  // Stored counts of exact values (value-counts.ts): only tag (f3) is counted (id is the key, price a decimal),
  // and each stored row counts the documents that hold its value now.
  const counts = db.prepare('SELECT col, value, n FROM value_counts').raw(true).all() as [string, string, number][];
  for (const [col, value, n] of counts) {
    assert.equal(col, 'f3', 'counted column');
    assert.equal(n, [...docs.values()].filter((d) => d.note.tag === value).length, `stored count of tag ${value}`);
  }
}

test('any changes in any transaction split leave the generation as applying them one by one does', () => {
  const initial = fc.uniqueArray(noteArb(fc.integer({ min: 1, max: 10 })), { selector: (n) => n.id, minLength: 1, maxLength: 10 });
  const splits = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 });
  fc.assert(
    fc.property(initial, fc.array(changeArb, { maxLength: 40 }), splits, (notes, changes, sizes) => {
      // K = 2: lists retire in many runs (more than two changed rows come to hold a term).
      const g = build(notes, 2);
      const w = new GenerationWriter(g.file, spec);
      try {
        const rule = versionRule(SNAPSHOT);
        const docs = new Map<number, ModelDoc>(notes.map((n) => [n.id, { version: SNAPSHOT, note: n }]));
        const tombs = new Map<number, bigint>();
        const touched = new Set<number>();
        let at = 0;
        let size = 0;
        while (at < changes.length) {
          const batch = changes.slice(at, at + sizes[size++ % sizes.length]!);
          at += batch.length;
          let applied = 0;
          const atStart = new Map(docs);
          const ops: DocOp[] = batch.map((c) => {
            const id = c.kind === 'upsert' ? c.note.id : c.id;
            const held = docs.get(id)?.version ?? tombs.get(id);
            if (rule(c.version, held)) {
              applied++;
              if (c.kind === 'upsert') {
                docs.set(id, { version: c.version, note: c.note });
                tombs.delete(id);
              } else {
                docs.delete(id);
                tombs.set(id, c.version);
              }
            }
            // Tokens asked for lazily half of the time: the writer calls the function only when it needs them.
            return c.kind === 'upsert'
              ? { kind: 'upsert', key: String(id), version: c.version, values: row(c.note), tokens: id % 2 ? [c.note.title, c.note.body] : () => [c.note.title, c.note.body] }
              : { kind: 'delete', key: String(id), version: c.version };
          });
          // Top-K bookkeeping follows the full-text columns as the transaction leaves them: a document whose
          // texts end it as they began (unchanged, or changed and changed back) changes no term's ranking.
          for (const [id, d] of docs) {
            const before = atStart.get(id)?.note;
            if (before === undefined || before.title !== d.note.title || before.body !== d.note.body) touched.add(id);
          }
          const r = w.apply(ops, [{ topic: 't', partition: 0, offset: String(at) }], rule);
          assert.equal(r.applied, applied);
          assert.equal(r.skipped, batch.length - applied);
          assert.deepEqual(w.positions(), [{ topic: 't', partition: 0, offset: String(at) }]);
        }
        check(w, docs, tombs, touched);
      } finally {
        w.close();
        g.cleanup();
      }
    }),
    { numRuns: 200 },
  );
});

test('an update that leaves the full-text fields unchanged does not ask for tokens; one that changes them does', () =>
  withOneNote((w) => {
    const rule = versionRule(SNAPSHOT);
    const { tokens, asked } = countingTokens();
    w.apply([{ kind: 'upsert', key: '1', version: 11n, values: row({ id: 1, title: 'alpha', body: 'beta', tag: 'y', price: '2.00' }), tokens: tokens('alpha', 'beta') }], [], rule);
    assert.equal(asked(), 0, 'tag and price changed only');
    w.apply([{ kind: 'upsert', key: '1', version: 12n, values: row({ id: 1, title: 'gamma', body: 'beta', tag: 'y', price: '2.00' }), tokens: tokens('gamma', 'beta') }], [], rule);
    assert.equal(asked(), 1, 'title changed');
    check(w, new Map([[1, { version: 12n, note: { id: 1, title: 'gamma', body: 'beta', tag: 'y', price: '2.00' } }]]), new Map(), new Set([1]));
  }));

test('a key inserted and deleted in one transaction leaves its tombstone only, and its tokens are never asked for', () =>
  withOneNote((w) => {
    const rule = versionRule(SNAPSHOT);
    const { tokens, asked } = countingTokens();
    const note = (id: number, title: string): Note => ({ id, title, body: 'delta', tag: null, price: null });
    const r = w.apply(
      [
        { kind: 'upsert', key: '2', version: 11n, values: row(note(2, 'gamma')), tokens: tokens('gamma', 'delta') },
        { kind: 'upsert', key: '1', version: 12n, values: row(note(1, 'eps')), tokens: tokens('eps', 'delta') },
        { kind: 'delete', key: '2', version: 13n },
        // a replay older than the delete: skipped, so key 2 stays deleted
        { kind: 'upsert', key: '2', version: 12n, values: row(note(2, 'gamma')), tokens: tokens('gamma', 'delta') },
        { kind: 'upsert', key: '1', version: 14n, values: row(note(1, 'alpha')), tokens: tokens('alpha', 'delta') },
      ],
      [],
      rule,
    );
    assert.deepEqual([...r.outcome], [1, 1, 1, 0, 1]);
    assert.equal(asked(), 1, "only key 1's final image is analysed");
    check(w, new Map([[1, { version: 14n, note: note(1, 'alpha') }]]), new Map([[2, 13n]]), new Set([1]));
  }));

test('positions are stored with the documents: a failing operation leaves neither', () =>
  withOneNote((w) => {
    const rule = versionRule(SNAPSHOT);
    w.apply([], [{ topic: 't', partition: 0, offset: '5' }], () => false);
    const bad = () => {
      throw new Error('analysis failed');
    };
    assert.throws(
      () =>
        w.apply(
          [
            { kind: 'delete', key: '1', version: 11n },
            { kind: 'upsert', key: '2', version: 11n, values: row({ id: 2, title: 'gamma', body: '', tag: null, price: null }), tokens: bad },
          ],
          [{ topic: 't', partition: 0, offset: '9' }],
          rule,
        ),
      /analysis failed/,
    );
    assert.deepEqual(w.positions(), [{ topic: 't', partition: 0, offset: '5' }]);
    // The failed transaction's count changes (tag x's document was deleted in it) do not reach the next one.
    w.apply([], [{ topic: 't', partition: 0, offset: '6' }], rule);
    assert.equal(w.db.prepare("SELECT n FROM value_counts WHERE col = 'f3' AND value = 'x'").pluck().get(), 1);
    check(w, new Map([[1, { version: SNAPSHOT, note: { id: 1, title: 'alpha', body: 'beta', tag: 'x', price: '1.50' } }]]), new Map(), new Set());
  }));

test('a list is retired once more than K changed rows hold its term, and a rolled-back retirement is not remembered', () => {
  // Seven notes with 'alpha' in the title: its list (K = 5) answers while at most 5 changed rows hold it.
  const notes = Array.from({ length: 7 }, (_, i): Note => ({ id: i + 1, title: 'alpha', body: 'beta', tag: null, price: null }));
  const g = build(notes);
  const w = new GenerationWriter(g.file, spec);
  const rule = versionRule(SNAPSHOT);
  const docs = new Map<number, ModelDoc>(notes.map((n) => [n.id, { version: SNAPSHOT, note: n }]));
  const touched = new Set<number>();
  const update = (id: number, version: bigint, title: string, tokens?: () => string[]): DocOp => {
    const note = { ...notes[id - 1]!, title };
    return { kind: 'upsert', key: String(id), version, values: row(note), tokens: tokens ?? [note.title, note.body] };
  };
  const applied = (ops: DocOp[]) => {
    w.apply(ops, [], rule);
    for (const op of ops) {
      const id = Number(op.key);
      touched.add(id);
      if (op.kind === 'upsert') docs.set(id, { version: op.version, note: { ...notes[id - 1]!, title: String(op.values['title']) } });
    }
  };
  const listed = () => w.db.prepare("SELECT cols FROM topk_terms WHERE term = 'alpha' ORDER BY cols").pluck().all();
  try {
    assert.deepEqual(listed(), ['t0', 't0 t1']);
    applied([1, 2, 3, 4, 5].map((id) => update(id, 11n, 'alpha alpha')));
    assert.deepEqual(listed(), ['t0', 't0 t1'], 'five changed holders: still listed');
    // A sixth holder would retire the list, but its transaction fails (a later row's analysis throws).
    const bad = () => {
      throw new Error('analysis failed');
    };
    assert.throws(() => w.apply([update(6, 12n, 'alpha eps'), update(7, 12n, 'gamma', bad)], [], rule), /analysis failed/);
    assert.deepEqual(listed(), ['t0', 't0 t1'], 'the failed retirement was rolled back');
    assert.equal(countTopK(w.db)!().retired, 0);
    // Still tracked: a holder changed again is recorded (check() compares touched_terms with the model).
    applied([update(1, 13n, 'alpha delta')]);
    check(w, docs, new Map(), touched);
    // Holders leave and arrive: one drops the term, then two more hold it (6 > 5): retired.
    applied([update(2, 14n, 'delta')]);
    assert.deepEqual(listed(), ['t0', 't0 t1']);
    applied([update(6, 15n, 'alpha eps'), update(7, 15n, 'alpha eps')]);
    assert.deepEqual(listed(), [], 'retired');
    // beta, in every changed row's body, went the same way: status counts the lists of both scopes.
    assert.deepEqual(countTopK(w.db)!(), { ranked: 0, pending: 0, retired: 4 });
    assert.equal(w.db.prepare("SELECT count(*) FROM touched_terms WHERE term = 'alpha'").pluck().get(), 0);
    assert.equal(w.db.prepare("SELECT count(*) FROM topk WHERE term = 'alpha'").pluck().get(), 0);
    check(w, docs, new Map(), touched);
  } finally {
    w.close();
    g.cleanup();
  }
});

test('a file sealed before touched rows held their terms is upgraded when a writer opens it, and its recorded terms are taken back', () => {
  const notes = Array.from({ length: 4 }, (_, i): Note => ({ id: i + 1, title: 'alpha gamma', body: 'beta', tag: null, price: null }));
  const g = build(notes, 100);
  const rule = versionRule(SNAPSHOT);
  const docs = new Map<number, ModelDoc>(notes.map((n) => [n.id, { version: SNAPSHOT, note: n }]));
  const touched = new Set<number>();
  const update = (id: number, version: bigint, title: string): DocOp => {
    const note = { ...notes[id - 1]!, title };
    docs.set(id, { version, note });
    touched.add(id);
    return { kind: 'upsert', key: String(id), version, values: row(note), tokens: [note.title, note.body] };
  };
  let w = new GenerationWriter(g.file, spec);
  try {
    w.apply([update(1, 11n, 'alpha alpha gamma'), update(2, 11n, 'gamma')], [], rule);
  } finally {
    w.close();
  }
  // The earlier layout: touched(rid) alone, and touched_terms indexed by rid.
  const old = new Database(g.file);
  old.exec(`
    CREATE TABLE touched_old (rid INTEGER PRIMARY KEY); INSERT INTO touched_old SELECT rid FROM touched;
    DROP TABLE touched; ALTER TABLE touched_old RENAME TO touched;
    CREATE INDEX touched_terms_rid ON touched_terms(rid);
  `);
  old.close();
  w = new GenerationWriter(g.file, spec);
  try {
    const columns = w.db.prepare("SELECT name FROM pragma_table_info('touched') ORDER BY cid").pluck().all();
    assert.deepEqual(columns, ['rid', 'held']);
    assert.equal(w.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'touched_terms_rid'").pluck().get(), 0);
    // Changed again: the terms recorded under the old layout are taken back (check() compares with the model).
    w.apply([update(1, 12n, 'gamma'), update(2, 12n, 'alpha'), update(3, 12n, 'beta')], [], rule);
    check(w, docs, new Map(), touched);
  } finally {
    w.close();
    g.cleanup();
  }
});

test('a writer opened without durability writes without journal or fsync until makeDurable, which returns to WAL', () => {
  const g = build([{ id: 1, title: 'alpha', body: 'beta', tag: 'x', price: '1.50' }]);
  const w = new GenerationWriter(g.file, spec, { durable: false });
  try {
    assert.equal(w.db.pragma('journal_mode', { simple: true }), 'off');
    assert.equal(w.db.pragma('synchronous', { simple: true }), 0, 'OFF');
    const note: Note = { id: 2, title: 'gamma', body: 'delta', tag: 'y', price: null };
    w.apply([{ kind: 'upsert', key: '2', version: 11n, values: row(note), tokens: [note.title, note.body] }], [{ topic: 't', partition: 0, offset: '1' }], versionRule(SNAPSHOT));
    assert.ok(!existsSync(`${g.file}-wal`) || statSync(`${g.file}-wal`).size === 0, 'nothing in a WAL: the commit went into the file');
    w.makeDurable();
    assert.equal(w.db.pragma('journal_mode', { simple: true }), 'wal', 'WAL from now on');
    assert.equal(w.db.pragma('synchronous', { simple: true }), 1, 'NORMAL from now on');
    const later: Note = { id: 3, title: 'eps', body: 'zeta', tag: 'z', price: null };
    w.apply([{ kind: 'upsert', key: '3', version: 12n, values: row(later), tokens: [later.title, later.body] }], [{ topic: 't', partition: 0, offset: '2' }], versionRule(SNAPSHOT));
    assert.ok(statSync(`${g.file}-wal`).size > 0, 'commits after it go through the WAL');
    // What a new connection reads.
    const reader = new Database(g.file, { readonly: true });
    assert.deepEqual(reader.prepare("SELECT doc_key FROM docs WHERE doc_key IN ('2', '3') ORDER BY 1").pluck().all(), ['2', '3']);
    reader.close();
  } finally {
    w.close();
    g.cleanup();
  }
});

test('the writer reads column texts into tokens as FTS5 ascii does (asciiTokens)', () => {
  const unit = fc.oneof(fc.constantFrom(' ', 'A', 'z', 'Q', '9', '-', '_', '.', 'é', 'É', '中', '文', '😀', '\u0080', '\u007f', '\t'), fc.string({ maxLength: 3 }));
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 30 }).map((u) => u.join('')), (text) => {
      assert.deepEqual(ftsTokens(text), asciiTokens(text));
    }),
    { numRuns: 200 },
  );
});
