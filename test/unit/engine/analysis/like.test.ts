// like: for any text and any string, the query grams occur as a phrase in the index grams exactly when the
// string is a substring of the text (SQL LIKE '%x%', case- and width-insensitive), for 1 character and up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createAnalyzers } from '../../../../src/engine/analysis/index.js';
import { sentences } from './corpus.js';
import { containsPhrase } from './token-match.js';

const like = createAnalyzers().get('like');
const matches = (query: string, text: string): boolean => containsPhrase(like.analyze(text, 'index'), like.analyze(query, 'query'));

const CJK = fc.string({ unit: fc.constantFrom(...'北京上海广州深圳的人大学中国数据库一二三'), minLength: 1, maxLength: 30 });

test('every substring of a random CJK string is found (property)', () => {
  fc.assert(
    fc.property(CJK, fc.nat(), fc.nat(), (text, a, b) => {
      const chars = [...text];
      const start = a % chars.length;
      const end = start + 1 + (b % (chars.length - start));
      return matches(chars.slice(start, end).join(''), text);
    }),
    { numRuns: 2000 },
  );
});

test('a string is found exactly when it is a substring (property, small alphabet so both cases occur)', () => {
  fc.assert(
    fc.property(CJK, fc.string({ unit: fc.constantFrom(...'北京上海的人 a'), minLength: 1, maxLength: 4 }), (text, query) => matches(query, text) === text.includes(query)),
    { numRuns: 3000 },
  );
});

test('1- and 2-character Chinese queries match like LIKE', () => {
  assert.ok(matches('京', '我在北京大学读书'));
  assert.ok(matches('北京', '我在北京大学读书'));
  assert.ok(matches('京大', '我在北京大学读书'));
  assert.ok(!matches('京北', '我在北京大学读书'));
  assert.ok(!matches('海', '我在北京大学读书'));
});

test('Latin, digits, spaces and punctuation are literal; case, width and accents fold', () => {
  assert.ok(matches('new york', 'I love New York City'));
  assert.ok(!matches('newyork', 'I love New York City'));
  assert.ok(matches('e', 'apple'));
  assert.ok(matches('5999元', 'iPhone15 售价 5999元'));
  assert.ok(matches('user@example.com', 'Email me at user@example.com now'));
  assert.ok(matches('abc', 'ＡＢＣ１２３'));
  assert.ok(matches('creme brulee', 'Crème brûlée'));
  assert.ok(matches('🎂', '生日快乐🎂！'));
});

test('every corpus sentence contains each of its own substrings', () => {
  for (const s of sentences().slice(0, 120)) {
    const chars = [...s];
    for (let i = 0; i < chars.length; i += 5) assert.ok(matches(chars.slice(i, i + 3).join(''), s), `${chars.slice(i, i + 3).join('')} in ${s}`);
  }
});
