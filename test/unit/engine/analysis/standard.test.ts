// standard and text_ws: Unicode words, lower-casing, accent folding; a word is found in any sentence with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createAnalyzers } from '../../../../src/engine/analysis/index.js';
import { containsPhrase } from './token-match.js';

const registry = createAnalyzers();
const standard = registry.get('standard');
const textWs = registry.get('text_ws');

test('lower-cases, folds accents and full-width, splits CJK into characters like Lucene', () => {
  assert.deepEqual(standard.analyze('Crème brûlée', 'index'), ['creme', 'brulee']);
  assert.deepEqual(standard.analyze('ＡＢＣ１２３', 'index'), ['abc123']);
  assert.deepEqual(standard.analyze('iPhone15 售价 5999元', 'index'), ['iphone15', '售', '价', '5999', '元']);
  assert.deepEqual(standard.analyze("Don't panic: 3.14!", 'index'), ['don', 't', 'panic', '3', '14']);
  assert.deepEqual(standard.analyze('São Paulo, Zürich — Москва', 'index'), ['sao', 'paulo', 'zurich', 'москва']);
  assert.deepEqual(standard.analyze('生日快乐🎂', 'index'), ['生', '日', '快', '乐', '🎂']);
  assert.deepEqual(standard.analyze('서울은 한국', 'index'), ['서울은', '한국']);
});

const WORDS = ['apple', 'Crème', 'brûlée', 'São', 'Zürich', 'iPhone15', 'wi-fi', '3.14', '北京', '数据库', 'Москва', 'naïve', 'ＡＢＣ', 'e-mail', '🎂', 'café'];
const SEP = fc.constantFrom(' ', ', ', '. ', ' (', ') ', '！', '，', '\n');

test('a word is found as a phrase in any sentence containing it (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...WORDS), SEP), { minLength: 1, maxLength: 8 }), fc.nat(), (parts, k) => {
      const sentence = parts.map(([w, s]) => w + s).join('');
      const word = parts[k % parts.length]![0];
      return containsPhrase(standard.analyze(sentence, 'index'), standard.analyze(word, 'query'));
    }),
    { numRuns: 1000 },
  );
});

test('text_ws: splits on whitespace only, lower-cases ASCII, splits inside ASCII punctuation', () => {
  assert.deepEqual(textWs.analyze('Hello World\tFOO', 'index'), ['hello', 'world', 'foo']);
  assert.deepEqual(textWs.analyze('e-mail user@Example.com', 'index'), ['e', 'mail', 'user', 'example', 'com']);
  assert.deepEqual(textWs.analyze('北京大学 上海', 'index'), ['北京大学', '上海']);
  assert.deepEqual(textWs.analyze('Crème', 'index'), ['crème']);
  assert.ok(containsPhrase(textWs.analyze('send an e-mail now', 'index'), textWs.analyze('e-mail', 'query')));
});
