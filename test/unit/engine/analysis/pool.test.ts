// The analysis pool returns, per text, exactly the joined index tokens the in-process analyzers produce, and a
// build indexed into its threads' FTS shards ends with the index one thread would have written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldSpec, IndexSpec, TokenName } from '../../../../src/core/schema.js';
import Database from 'better-sqlite3';
import { GenerationBuilder } from '../../../../src/engine/store/builder.js';
import { frequentTermCounts } from '../../../../src/engine/store/topk-table.js';
import { rankPendingTopK } from '../../../../src/pipeline/topk-ranking.js';
import { createAnalysisPool, createAnalyzers } from '../../../../src/engine/analysis/index.js';
import { sentences } from './corpus.js';

test('pool output equals in-process analysis, nulls become empty strings, jobs run concurrently', async () => {
  await using pool = createAnalysisPool({ size: 2 });
  assert.equal(pool.size, 2);
  const registry = createAnalyzers();
  const tokens: TokenName[] = ['ik', 'like', 'pinyin', 'standard', 'text_ws', 'string'];
  const all = sentences();
  const jobs: (string | null)[][] = [];
  for (let j = 0; j < 4; j++) {
    const texts: (string | null)[] = [];
    for (let r = 0; r < 30; r++) for (let f = 0; f < tokens.length; f++) texts.push((r + f) % 7 === 0 ? null : all[(j * 31 + r * 7 + f) % all.length]!);
    jobs.push(texts);
  }
  const results = await Promise.all(jobs.map((texts) => pool.analyze({ tokens, texts })));
  for (let j = 0; j < jobs.length; j++) {
    const texts = jobs[j]!;
    assert.equal(results[j]!.length, texts.length);
    texts.forEach((t, i) => {
      const expected = t === null ? '' : registry.get(tokens[i % tokens.length]!).analyze(t, 'index').join(' ');
      assert.equal(results[j]![i], expected);
    });
  }
});

test('a job whose texts are not rows × fields is rejected; a closed pool rejects jobs', async () => {
  const pool = createAnalysisPool({ size: 1 });
  await assert.rejects(pool.analyze({ tokens: ['ik', 'like'], texts: ['a', 'b', 'c'] }), /rows × fields/);
  assert.deepEqual(await pool.analyze({ tokens: ['ik'], texts: [] }), []);
  await pool.close();
  await assert.rejects(pool.analyze({ tokens: ['ik'], texts: ['北京'] }), (e: unknown) => (e as { code?: string }).code === 'SHUTTING_DOWN');
});

test('a build indexed into the threads\' FTS shards, spliced, planned from the shards\' counts and ranked later equals one indexed and sealed on one thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-pool-shards-'));
  try {
    await using pool = createAnalysisPool({ size: 2 });
    const field = (name: string, token: TokenName, isKey = false): FieldSpec => ({ name, kind: isKey ? 'integer' : 'string', sqlType: 'text', token, search: true, isKey });
    const spec: IndexSpec = { name: 'n', db: 'd', table: 'n', key: ['id'], fields: [field('id', 'string', true), field('title', 'standard'), field('body', 'ik')] };
    const all = sentences();
    const rows = Array.from({ length: 900 }, (_, i) => ({ id: i + 1, title: i % 11 === 0 ? null : all[(i * 7) % all.length]!, body: all[(i * 13 + 5) % all.length]! }));
    const build = async (file: string, sharded: boolean) => {
      const b = new GenerationBuilder(file, spec);
      const tokens = b.ftsTokens as TokenName[];
      const shards = pool.shardedIndexer(file, b.ftsColumns);
      const jobs: Promise<void>[] = [];
      for (let at = 0; at < rows.length; at += 100) {
        const batch = b.insertDocs(rows.slice(at, at + 100), 1n);
        if (sharded) jobs.push(shards.add({ tokens, rids: batch.rids, texts: batch.texts }));
        else b.insertTokens(batch.rids, await pool.analyze({ tokens, texts: batch.texts as (string | null)[] }));
      }
      await Promise.all(jobs);
      const { files, counts } = await shards.finish(100);
      assert.equal(files.length, sharded ? 2 : 0, 'both threads took batches');
      if (sharded) {
        await b.spliceShards(files);
        // The shards' counts of the terms that may be frequent are the whole index's counts of those terms.
        const whole = frequentTermCounts(b.db, 100);
        assert.ok(whole.cols.size > 0);
        for (const [term, perCol] of whole.cols) assert.deepEqual(counts!.cols.get(term), perCol, term);
        for (const [term, n] of whole.rows) assert.equal(counts!.rows.get(term), n, term);
        b.sealPlanned({ k: 5, minDocs: 100 }, counts);
        b.close();
        await rankPendingTopK(file, pool, new AbortController().signal);
      } else {
        b.seal({ k: 5, minDocs: 100 });
        b.close();
      }
      const db = new Database(file);
      try {
        db.exec("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)");
        db.exec("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, 'fts', 'col')");
        return {
          vocab: db.prepare('SELECT term, col, doc, cnt FROM temp.v ORDER BY term, col').all(),
          topk: db.prepare('SELECT cols, term, rank, rid, tf, dl FROM topk ORDER BY cols, term, rank').all(),
        };
      } finally {
        db.close();
      }
    };
    const one = await build(join(dir, 'one.sqlite'), false);
    const sharded = await build(join(dir, 'sharded.sqlite'), true);
    assert.ok(one.vocab.length > 500 && one.topk.length > 0);
    assert.deepEqual(sharded, one);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
