// The highlighter on stored text: whole ASCII words, CJK substrings, prefixes, and words found through
// the field's analyzer (pinyin for Chinese, folded accents).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlight, needlesOf } from '../../../../src/engine/search/index.js';

const opts = { pre: '<b>', post: '</b>', fragsize: 0 };

test('ASCII terms match whole words only, case-insensitively', () => {
  assert.equal(highlight('Fox and foxes, FOX!', needlesOf(['fox'], []), opts), '<b>Fox</b> and foxes, <b>FOX</b>!');
  assert.equal(highlight('no match here', needlesOf(['fox'], []), opts), null);
});

test('prefixes mark words that start with them; CJK terms match inside text', () => {
  assert.equal(highlight('quick quickly unquick', needlesOf([], ['quick']), opts), '<b>quick</b> <b>quickly</b> unquick');
  assert.equal(highlight('我爱北京天安门', needlesOf(['北京', '天安门'], []), opts), '我爱<b>北京天安门</b>');
});

test('words whose analysed tokens meet the query are marked (pinyin, accents)', () => {
  const pinyin = (w: string) => (w === '北京' ? ['beijing', 'bj'] : w === '上海' ? ['shanghai', 'sh'] : [w]);
  assert.equal(highlight('从上海到北京', needlesOf(['beijing'], []), opts, pinyin), '从上海到<b>北京</b>');
  const fold = (w: string) => [w.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()];
  assert.equal(highlight('Un café noir', needlesOf(['cafe'], []), opts, fold), 'Un <b>café</b> noir');
});

test('long text gives a fragment around the first match', () => {
  const text = `${'lorem '.repeat(40)}target ${'ipsum '.repeat(40)}`;
  const s = highlight(text, needlesOf(['target'], []), { ...opts, fragsize: 60 })!;
  assert.ok(s.length <= 60 + opts.pre.length + opts.post.length);
  assert.match(s, /<b>target<\/b>/);
});
