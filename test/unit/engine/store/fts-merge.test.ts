// The change writer paces FTS5's merges (fts-merge.ts): automerge off, one bounded 'merge' per transaction that
// keeps every level below automerge's 16 segments and purges deleted rows once a tenth of a level's rows are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldSpec, IndexSpec } from '../../../../src/core/schema.js';
import { GenerationBuilder } from '../../../../src/engine/store/builder.js';
import { GenerationWriter } from '../../../../src/engine/store/writer.js';
import { decodeStructure } from '../../../../src/engine/store/fts-splice.js';
import { versionRule } from '../../../../src/pipeline/version-rule.js';

const field = (name: string, kind: FieldSpec['kind'], token: FieldSpec['token'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind, token, search: true, isKey });
const spec: IndexSpec = { name: 'notes', db: 'd', table: 'notes', key: ['id'], fields: [field('id', 'integer', 'string', true), field('body', 'string', 'standard')] };
const ROWS = 2000;
const words = (i: number) => `w${i % 97} w${i % 13} v${i}`;

test('the writer merges FTS5 segments itself, a slice per transaction: levels stay under 16 segments and deleted rows are purged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-fts-merge-'));
  try {
    const file = join(dir, 'gen.sqlite');
    const b = new GenerationBuilder(file, spec);
    b.setSnapshot(1n);
    const batch = b.insertDocs(Array.from({ length: ROWS }, (_, i) => ({ id: i, body: words(i) })), 1n);
    b.insertTokens(batch.rids, Array.from({ length: ROWS }, (_, i) => words(i)));
    b.seal();
    b.close();
    const w = new GenerationWriter(file, spec);
    const rule = versionRule(1n);
    const structure = () => decodeStructure(w.db.prepare('SELECT block FROM fts_data WHERE id = 10').pluck().get() as Uint8Array);
    const config = (k: string) => w.db.prepare('SELECT v FROM fts_config WHERE k = ?').pluck().get(k);
    let version = 10n;
    // 200 transactions of 6 updates of distinct rows: 1,200 of the 2,000 dumped rows rewritten, 60% of them.
    for (let t = 0; t < 200; t++) {
      const ops = Array.from({ length: 6 }, (_, j) => {
        const id = (t * 6 + j) * 7 % ROWS;
        return { kind: 'upsert' as const, key: String(id), version: ++version, values: { id, body: `${words(id)} again${t}` }, tokens: [`${words(id)} again${t}`] };
      });
      w.apply(ops, [], rule);
      const levels = structure().levels;
      assert.ok(levels.every((l) => l.segments.length <= 16), `after transaction ${t}: ${levels.map((l) => l.segments.length).join('/')} segments by level`);
    }
    assert.equal(config('automerge'), 0, "FTS5's own merging is off");
    const levels = structure().levels.filter((l) => l.segments.length);
    const entries = levels.flatMap((l) => l.segments).reduce((n, g) => n + g.nEntry, 0);
    const tombstones = levels.flatMap((l) => l.segments).reduce((n, g) => n + g.nEntryTombstone, 0);
    // Without the purge the dumped rows' segment alone would hold 1,200 tombstones.
    assert.ok(tombstones < 0.2 * entries, `${tombstones} tombstones in ${entries} entries`);
    assert.deepEqual(w.db.prepare("SELECT count(*) FROM fts WHERE fts MATCH 'again199'").pluck().get(), 6);
    assert.equal(w.db.prepare("SELECT count(*) FROM fts WHERE fts MATCH 'w5'").pluck().get(), Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 97 === 5 || i % 13 === 5).length);
    w.db.exec("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)");
    w.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
