// buildTopK stores, for the all-columns scope, exactly the ranking FTS5 gives, also where it reuses a single
// column's list (a term found in one column only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FieldSpec, IndexSpec } from '../../../../src/core/schema.js';
import { GenerationBuilder } from '../../../../src/engine/store/builder.js';
import { createAnalysisPool } from '../../../../src/engine/analysis/index.js';
import { rankPendingTopK } from '../../../../src/pipeline/topk-ranking.js';

const field = (name: string, kind: FieldSpec['kind'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind, token: isKey ? 'string' : 'standard', search: true, isKey });
const spec: IndexSpec = { name: 'n', db: 'd', table: 'n', key: ['id'], fields: [field('id', 'integer', true), field('title', 'string'), field('body', 'string')] };

test('the all-columns top-K of a term in one column equals FTS5 ranking, as does that of a term in both', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-topk-table-'));
  try {
    const file = join(dir, 'gen.sqlite');
    const b = new GenerationBuilder(file, spec);
    b.setSnapshot(1n);
    // "tide" only in bodies, "moon" in titles and bodies; lengths vary so scores differ.
    const rows = Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      title: i % 3 === 0 ? 'moon' : `title ${'x '.repeat(i % 5)}`.trim(),
      body: `${'tide '.repeat(1 + (i % 4))}${'moon '.repeat(i % 2)}${'filler '.repeat(i % 7)}`.trim(),
    }));
    const batch = b.insertDocs(rows, 1n);
    b.insertTokens(batch.rids, batch.texts.map((t) => t ?? ''));
    const stats = b.seal({ k: 5, minDocs: 10 });
    b.close();
    assert.equal(stats.unverified, 0);
    const db = new Database(file, { readonly: true });
    try {
      for (const term of ['tide', 'moon']) {
        const stored = db.prepare("SELECT rid FROM topk WHERE cols = 't0 t1' AND term = ? ORDER BY rank").pluck().all(term);
        const ranked = db.prepare('SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts), rowid LIMIT 5').pluck().all(`{t0 t1} : ("${term}")`);
        assert.equal(stored.length, 5, term);
        assert.deepEqual(stored, ranked, term);
      }
      assert.deepEqual(
        db.prepare("SELECT rid, tf, dl FROM topk WHERE cols = 't0 t1' AND term = 'tide' ORDER BY rank").all(),
        db.prepare("SELECT rid, tf, dl FROM topk WHERE cols = 't1' AND term = 'tide' ORDER BY rank").all(),
      );
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lists planned at seal and ranked later by the worker pool (as after a swap) equal a seal ranked in one thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-topk-pool-'));
  await using pool = createAnalysisPool({ size: 2 });
  try {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      id: i + 1,
      title: ['moon', 'sun', 'tide'][i % 3]! + (i % 4 === 0 ? ' moon' : ''),
      body: `${'tide '.repeat(1 + (i % 5))}${'sun '.repeat(i % 3)}${'word '.repeat(i % 11)}`.trim(),
    }));
    const tables = async (parallel: boolean): Promise<unknown[]> => {
      const file = join(dir, `gen-${parallel}.sqlite`);
      const b = new GenerationBuilder(file, spec);
      b.setSnapshot(1n);
      const batch = b.insertDocs(rows, 1n);
      b.insertTokens(batch.rids, batch.texts.map((t) => t ?? ''));
      let stats: { entries: number };
      if (parallel) {
        const planned = b.sealPlanned({ k: 20, minDocs: 50 });
        b.close();
        stats = await rankPendingTopK(file, pool, new AbortController().signal);
        assert.equal(stats.entries, planned.pending);
      } else {
        stats = b.seal({ k: 20, minDocs: 50 });
        b.close();
      }
      assert.ok(stats.entries >= 6, `${stats.entries} entries`);
      const db = new Database(file, { readonly: true });
      try {
        return [db.prepare('SELECT * FROM topk ORDER BY cols, term, rank').all(), db.prepare('SELECT * FROM topk_terms ORDER BY cols, term').all(), db.pragma('journal_mode', { simple: true })];
      } finally {
        db.close();
      }
    };
    assert.deepEqual(await tables(true), await tables(false));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the background ranking does not wait on the event loop for a write lock the channel holds: it stores its lists once the lock is free', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-topk-lock-'));
  await using pool = createAnalysisPool({ size: 1 });
  try {
    const file = join(dir, 'gen.sqlite');
    const b = new GenerationBuilder(file, spec);
    b.setSnapshot(1n);
    const batch = b.insertDocs(Array.from({ length: 200 }, (_, i) => ({ id: i + 1, title: i % 2 ? 'moon' : 'sun', body: 'tide' })), 1n);
    b.insertTokens(batch.rids, batch.texts.map((t) => t ?? ''));
    const planned = b.sealPlanned({ k: 10, minDocs: 50 });
    b.close();
    assert.ok(planned.pending > 0);
    // Another connection (as the channel's writer thread, mid-commit) holds the write lock for 400 ms.
    const writer = new Database(file);
    writer.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    let done = false;
    let stats: Awaited<ReturnType<typeof rankPendingTopK>>;
    let storedMeanwhile: unknown;
    try {
      const ranking = rankPendingTopK(file, pool, new AbortController().signal).finally(() => (done = true));
      await new Promise((r) => setTimeout(r, 400));
      storedMeanwhile = writer.prepare('SELECT count(*) FROM topk_terms WHERE stored >= 0').pluck().get();
      writer.exec('COMMIT');
      writer.close();
      stats = await ranking;
    } finally {
      clearInterval(ticker);
      if (writer.open) writer.close();
    }
    assert.equal(storedMeanwhile, 0, 'nothing stored while the lock was held');
    assert.equal(done, true);
    assert.ok(ticks >= 20, `the event loop turned while the lock was held (${ticks} ticks of 5 ms)`);
    assert.equal(stats.entries, planned.pending, 'every list stored once the lock was free');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
