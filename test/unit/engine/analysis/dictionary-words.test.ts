// The dictionary lookup gives jieba's cutAll tokens, in jieba's order, plus every character jieba leaves out
// (one that is not itself a dictionary word); user words count as dictionary words.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import fc from 'fast-check';
import { Jieba } from '@node-rs/jieba';
import { dictionaryWords } from '../../../../src/engine/analysis/dictionary-words.js';
import { TokenText } from '../../../../src/engine/analysis/token-text.js';
import { HANDWRITTEN } from './corpus.js';

const dictText = readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt'), 'utf8');
const USER = '潮汐搜索 20000\n阿里云盘 100000 nz\n';
const jieba = Jieba.withDict(Buffer.from(dictText));
jieba.loadDict(Buffer.from(USER));
const lookup = dictionaryWords(dictText, USER);
const DICT_WORDS = dictText
  .split('\n')
  .map((l) => l.split(' ')[0]!)
  .filter((w) => /^\p{Script=Han}{2,}$/u.test(w))
  .filter((_, i) => i % 50 === 0);

const isJiebaWord = (c: string): boolean => jieba.cutAll(c).includes(c);
const ours = (run: string): string[] => {
  const out = new TokenText();
  lookup.writeAll(run, 0, run.length, out);
  const joined = out.toString();
  return joined === '' ? [] : joined.split(' ');
};

test('equals jieba cutAll once characters that are not dictionary words are left out (property)', () => {
  const han = fc.oneof(
    fc.constantFrom(...DICT_WORDS, '潮汐搜索', '阿里云盘'),
    fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
    fc.constantFrom(...HANDWRITTEN.flatMap((t) => t.match(/\p{Script=Han}+/gu) ?? [])),
  );
  fc.assert(
    fc.property(fc.array(han, { minLength: 1, maxLength: 8 }), (parts) => {
      const run = parts.join('');
      const got = ours(run);
      assert.deepEqual(got.filter((t) => t.length > 1 || isJiebaWord(t)), jieba.cutAll(run), run);
      assert.deepEqual(got.filter((t) => t.length === 1), [...run], 'every character once, in order');
    }),
    { numRuns: 3000 },
  );
});

test('user words are words; has() answers for a word as writeAll finds it', () => {
  assert.ok(ours('我用潮汐搜索找资料').includes('潮汐搜索'));
  assert.deepEqual(ours('殍'), ['殍']);
  assert.ok(lookup.has('潮汐搜索') && lookup.has('北京') && lookup.has('阿里云盘'));
  assert.ok(!lookup.has('北') && !lookup.has('京北') && !lookup.has('潮汐搜'));
});

test('writeAll over a range finds only the words inside it', () => {
  const out = new TokenText();
  lookup.writeAll('在北京大学读书', 1, 3, out);
  assert.equal(out.toString(), '北 北京 京');
});
