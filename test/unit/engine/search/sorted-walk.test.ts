// The sorted walk answers a match ordered by an indexed field with the rows a full join and sort gives, when
// its keys are the indexed column and the docid (read from the index alone) and when another column follows
// (read from docs), in both directions and with ties in the column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { walkSorted } from '../../../../src/engine/search/sorted-walk.js';
import type { SortKey } from '../../../../src/engine/search/sort-spec.js';

const ROWS = 20_000;

function generation(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE docs(rid INTEGER PRIMARY KEY, day TEXT, n INTEGER)');
  db.exec("CREATE VIRTUAL TABLE fts USING fts5(t0, content='', contentless_delete=1, tokenize='ascii')");
  let s = 42;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const doc = db.prepare('INSERT INTO docs(rid, day, n) VALUES (?, ?, ?)');
  const fts = db.prepare('INSERT INTO fts(rowid, t0) VALUES (?, ?)');
  db.transaction(() => {
    for (let rid = 1; rid <= ROWS; rid++) {
      // ~300 distinct days: many ties, broken by rid or by n.
      doc.run(rid, `2020-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 25)).padStart(2, '0')}`, Math.floor(rnd() * 5));
      fts.run(rid, rnd() < 0.4 ? 'common word' : 'word');
    }
  })();
  db.exec('CREATE INDEX ix_day ON docs(day)');
  return db;
}

test('a walk of the index gives the same page as sorting every hit, covered by the index or not', () => {
  const db = generation();
  const prepare = (sql: string) => db.prepare(sql);
  const hits = db.prepare("SELECT count(*) FROM fts WHERE fts MATCH 'common'").pluck().get() as number;
  const key = (expr: string, dir: 'asc' | 'desc'): SortKey => ({ expr, dir, name: expr });
  let walked = 0;
  for (const dir of ['asc', 'desc'] as const) {
    for (const keys of [[key('d.day', dir), key('d.rid', 'asc')], [key('d.day', dir), key('d.n', 'desc'), key('d.rid', 'asc')], [key('d.day', dir), key('d.rid', 'desc')]]) {
      for (const limit of [10, 50]) {
        const keyCols = keys.map((k, i) => `${k.expr} AS k${i}`).join(', ');
        const order = keys.map((k) => `${k.expr} ${k.dir.toUpperCase()}`).join(', ');
        const want = db
          .prepare(`SELECT d.rid, NULL AS r, ${keyCols} FROM docs d WHERE d.rid IN (SELECT rowid FROM fts WHERE fts MATCH 'common') ORDER BY ${order} LIMIT ${limit}`)
          .raw(true)
          .safeIntegers(true)
          .all();
        const got = walkSorted(prepare, { match: 'common', keyCols, keys, index: 'ix_day', limit, rows: ROWS, hits });
        if (got === null) continue;
        walked++;
        assert.deepEqual(got, want, `${order} LIMIT ${limit}`);
      }
    }
  }
  // The walk answered (rather than declining to the join) in every case here.
  assert.equal(walked, 12);
  db.close();
});
