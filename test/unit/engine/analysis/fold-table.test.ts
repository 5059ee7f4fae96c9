// The generated fold table is what opencc-js says today: after an opencc-js upgrade this fails until
// `node --import tsx scripts/gen-fold-table.ts` regenerates src/engine/analysis/fold-table.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRADITIONAL_PAIRS } from '../../../../src/engine/analysis/fold-table.js';
import { chineseFold } from '../../../../src/engine/analysis/chinese-fold.js';
import { traditionalPairs } from '../../../support/opencc-pairs.js';

test('the fold table equals opencc-js per-character traditional → simplified conversion', () => {
  assert.equal(TRADITIONAL_PAIRS, traditionalPairs(), 'regenerate with: node --import tsx scripts/gen-fold-table.ts');
});

test('folding maps traditional to simplified and full-width to half-width, keeping the length', () => {
  const fold = chineseFold();
  assert.equal(fold.fold('臺灣資料庫ＡＢＣ　１２３'), '台湾资料库ABC 123');
  assert.equal(fold.fold('plain text'), 'plain text');
});
