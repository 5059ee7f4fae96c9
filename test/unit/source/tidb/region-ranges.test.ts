// Chunk bounds from sampled region starts, and key comparisons that keep exact values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyCompare, rangesFromStartKeys } from '../../../../src/source/tidb/region-ranges.js';
import type { TableSchema } from '../../../../src/core/schema.js';

const schema = (key: string[], kinds: Record<string, 'integer' | 'string' | 'decimal'>): TableSchema => ({
  db: 'd',
  table: 't',
  columns: Object.entries(kinds).map(([name, kind]) => ({ name, kind, sqlType: kind, nullable: false })),
  key,
  keyKind: 'primary',
});

test('n sampled starts give n chunks that cover the whole key space without overlap', () => {
  assert.deepEqual(rangesFromStartKeys([]), [{}]);
  assert.deepEqual(rangesFromStartKeys([['1']]), [{}]);
  assert.deepEqual(rangesFromStartKeys([['1'], ['40'], ['90']]), [{ upper: ['40'] }, { lower: ['40'], upper: ['90'] }, { lower: ['90'] }]);
});

test('integer bounds are inlined exactly, even past 2^53; strings go as parameters', () => {
  const s = schema(['id'], { id: 'integer' });
  assert.deepEqual(keyCompare(s, ['18446744073709551615'], '>='), { sql: '(`id` >= 18446744073709551615)', params: [] });
  const t = schema(['code'], { code: 'string' });
  assert.deepEqual(keyCompare(t, ["x' OR 1=1"], '<'), { sql: '(`code` < ?)', params: ["x' OR 1=1"] });
});

test('composite keys compare lexicographically', () => {
  const s = schema(['a', 'b'], { a: 'integer', b: 'string' });
  assert.deepEqual(keyCompare(s, [3, 'k'], '>='), { sql: '(`a` > 3 OR (`a` = 3 AND `b` >= ?))', params: ['k'] });
  assert.deepEqual(keyCompare(s, [3, 'k'], '<'), { sql: '(`a` < 3 OR (`a` = 3 AND `b` < ?))', params: ['k'] });
});
