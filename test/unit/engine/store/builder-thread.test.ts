// The build's B-tree indexes of the docs columns are made on a builder thread (builder-thread.ts): the calling
// thread's event loop keeps turning meanwhile (it answers the server's requests), and the indexes are there
// afterwards. (The splice, on such a thread too, is checked by pool.test.ts: a spliced build equals one written
// by one thread.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FieldSpec, IndexSpec } from '../../../../src/core/schema.js';
import { GenerationBuilder } from '../../../../src/engine/store/builder.js';

const field = (name: string, kind: FieldSpec['kind'], token: FieldSpec['token'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind, token, search: true, isKey });
const spec: IndexSpec = { name: 'notes', db: 'd', table: 'notes', key: ['id'], fields: [field('id', 'integer', 'string', true), field('tag', 'string', 'string'), field('n', 'integer', 'string')] };

test('indexFields builds the B-tree indexes on another thread while this event loop keeps turning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-field-index-'));
  try {
    const file = join(dir, 'gen.sqlite');
    const b = new GenerationBuilder(file, spec);
    b.setSnapshot(1n);
    b.insertDocs(Array.from({ length: 50_000 }, (_, i) => ({ id: i, tag: `t${i % 500}`, n: (i * 7919) % 100_003 })), 1n);
    let turns = 0;
    let waiting = true;
    const turn = (): void => {
      turns++;
      if (waiting) setImmediate(turn);
    };
    setImmediate(turn);
    await b.indexFields();
    waiting = false;
    assert.ok(turns > 10, `the event loop turned ${turns} times while the indexes were built`);
    b.close();
    const db = new Database(file, { readonly: true });
    try {
      const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%' ORDER BY name").pluck().all();
      assert.deepEqual(indexes, ['ix_f1', 'ix_f2']);
      assert.equal(db.prepare('SELECT count(*) FROM docs INDEXED BY ix_f1 WHERE f1 = ?').pluck().get('t7'), 100);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
