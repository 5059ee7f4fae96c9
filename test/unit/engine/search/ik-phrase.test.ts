// Phrase queries on `ik` fields: index tokens overlap (every word and character), so a phrase must still
// find the text that contains it, and not text where its words stand far apart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IndexSpec } from '../../../../src/core/schema.js';
import { createAnalyzers } from '../../../../src/engine/analysis/index.js';
import { createSearcher } from '../../../../src/engine/search/index.js';
import { buildGeneration } from './books-fixture.js';

const spec: IndexSpec = {
  name: 'notes',
  db: 'd',
  table: 'notes',
  key: ['id'],
  fields: [
    { name: 'id', kind: 'integer', sqlType: 'int', token: 'string', search: true, isKey: true },
    { name: 'body', kind: 'string', sqlType: 'text', token: 'ik', search: true, isKey: false },
  ],
};
const rows = [
  { id: 1, body: '今年的外人军费很高，引起讨论。' },
  { id: 2, body: '外人来访，我们讨论了很多关于军费的问题和其他很长很长的一些事情以及更多的内容。' },
  { id: 3, body: '北京大学的图书馆很大' },
  { id: 4, body: 'The quick brown fox 和北京烤鸭' },
];
const analyzers = createAnalyzers();
const gen = buildGeneration(spec, rows, analyzers);
const s = createSearcher(gen.file, spec, analyzers);
after(() => {
  s.close();
  gen.cleanup();
});

const ids = (q: string) => s.search({ q, df: 'body', rows: 10 }).docs.map((d) => Number(d['id'])).sort();

test('a Chinese phrase on an ik field finds the text that contains it', () => {
  assert.deepEqual(ids('"外人军费"'), [1]);
  assert.deepEqual(ids('"北京大学"'), [3]);
  assert.deepEqual(ids('"北京烤鸭"'), [4]);
});

test('the words of a phrase far apart do not match it, while the words alone do', () => {
  assert.deepEqual(ids('外人 AND 军费'), [1, 2]);
  assert.deepEqual(ids('"外人军费"'), [1]);
});
