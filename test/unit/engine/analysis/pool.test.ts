// The analysis pool returns, per text, exactly the joined index tokens the in-process analyzers produce.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenName } from '../../../../src/core/schema.js';
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
