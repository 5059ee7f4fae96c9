// ik: a query word is found among the index tokens of any text containing it; folding makes traditional,
// full-width and mixed-script text match; the user dictionary and stop words apply after reload().
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Jieba } from '@node-rs/jieba';
import { createAnalyzers } from '../../../../src/engine/analysis/index.js';
import { chineseFold } from '../../../../src/engine/analysis/chinese-fold.js';
import { employeeRows } from '../../../support/employees-data.js';
import { HANDWRITTEN, NAMES, PLACES } from './corpus.js';
import { containsAll, containsNear } from './token-match.js';

const registry = createAnalyzers();
const ik = registry.get('ik');
// As the query compiler matches: each query group's tokens present, a group of several near each other.
const found = (query: string, text: string): boolean => {
  const groups = ik.analyzeQueryGroups!(query);
  const index = ik.analyze(text, 'index');
  return groups.length > 0 && groups.every((g) => (g.length === 1 ? containsAll(index, g) : containsNear(index, g, 2 * g.length)));
};

// Common multi-character simplified words from jieba's own dictionary (the words users type).
const dictPath = createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');
const WORDS = readFileSync(dictPath, 'utf8')
  .split('\n')
  .map((l) => l.split(' '))
  .filter(([w, f]) => w !== undefined && [...w].length >= 2 && Number(f) >= 100 && /^\p{Script=Han}+$/u.test(w))
  .map(([w]) => w!)
  .filter((_, i) => i % 7 === 0) // a spread sample keeps the test fast
  .filter((w) => ik.analyze(w, 'query').join('') === w); // unchanged by traditional→simplified folding

test('a dictionary word inside any text is found by its query tokens (property)', () => {
  assert.ok(WORDS.length > 1000, `${WORDS.length} words`);
  const word = fc.constantFrom(...WORDS);
  const context = fc.array(fc.oneof(word, fc.constantFrom(...HANDWRITTEN), fc.constantFrom('，', ' ', 'abc', '123', '的')), { maxLength: 6 });
  fc.assert(
    fc.property(context, word, context, (before, w, after) => found(w, before.join('') + w + after.join(''))),
    { numRuns: 2000 },
  );
});

test('query mode gives the coarsest split; index mode has every overlapping word', () => {
  assert.deepEqual(ik.analyze('北京大学', 'query'), ['北京大学']);
  const index = ik.analyze('我在北京大学读书', 'index');
  for (const w of ['北京', '大学', '北京大学', '读书']) assert.ok(index.includes(w), `${w} in ${index.join(' ')}`);
  // A word across the best segmentation's boundary (研究生 in 研究/生命) is still indexed, as ik_max_word does.
  assert.ok(ik.analyze('研究生命起源', 'index').includes('研究生'));
  assert.deepEqual(ik.analyze('研究生命起源', 'query'), ['研究', '生命', '起源']);
});

test('names and place names in template sentences are found', () => {
  for (const name of NAMES) for (const place of PLACES) {
    const text = `昨天${name}去${place}出差，顺便看望了朋友。`;
    assert.ok(found(place, text), `${place} in ${text}`);
    assert.ok(found(name, text), `${name} in ${text}`);
  }
});

test('an unknown name found by HMM matches as its characters near each other', () => {
  assert.deepEqual(ik.analyzeQueryGroups!('陈思远'), [['陈', '思', '远']]);
  assert.deepEqual(ik.analyzeQueryGroups!('北京大学陈思远'), [['北京大学'], ['陈', '思', '远']]);
  assert.deepEqual(ik.analyzeQueryGroups!('王小丫'), [['王小丫']], 'a name in the dictionary is one token');
  assert.ok(found('陈思远', '主持人陈思远今天来了'));
  assert.ok(found('王小丫', '主持人王小丫今天来了'));
  assert.ok(!found('陈思远', '远方的陈先生在思考，一个小时后到达'), 'the same characters far apart do not match');
});

test('traditional and simplified text match each other', () => {
  assert.ok(found('臺灣', '台湾的数据很多'));
  assert.ok(found('台湾', '臺灣的資料庫'));
  assert.ok(found('資料', '这是一份资料'));
  assert.ok(found('数据库', '資料庫不等于數據庫'));
});

test('full-width Latin and digits fold to half-width; Western words are tokenized like standard', () => {
  assert.ok(found('ABC123', 'ＡＢＣ１２３是全角字符'));
  assert.ok(found('iphone15', 'iPhone15 售价 5999元'));
  assert.ok(found('5999', 'iPhone15 售价 5999元'));
  assert.ok(found('售价', 'iPhone15 售价 5999元'));
  assert.ok(found('creme', 'Crème brûlée'));
  assert.deepEqual(ik.analyze('iPhone15 售价 5999元，Crème！', 'query'), ['iphone15', '售价', '5999', '元', 'creme']);
  assert.ok(!found('北京', '上海的地铁'));
});

test('punctuation is dropped; emoji is kept', () => {
  const tokens = ik.analyze('生日快乐🎂！“你好”。', 'index');
  assert.ok(tokens.includes('🎂'));
  for (const p of ['！', '“', '”', '。', '!']) assert.ok(!tokens.includes(p));
});

test('a repeated query text gets the same groups, however the caller used the earlier ones', () => {
  const texts = ['北京大学陈思远', '外人军费', 'Tidesearch 搜索引擎 2024'];
  const first = texts.map((t) => ik.analyzeQueryGroups!(t));
  const expected = structuredClone(first);
  for (const groups of first) {
    groups[0]!.push('changed');
    groups.push(['added']);
  }
  assert.deepEqual(texts.map((t) => ik.analyzeQueryGroups!(t)), expected);
  assert.deepEqual(texts.map((t) => ik.analyze(t, 'query')), expected.map((g) => g.flat()));
});

test('user dictionary words and stop words apply after reload()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-dict-'));
  try {
    const dict = join(dir, 'user.dict');
    const stop = join(dir, 'stop.txt');
    writeFileSync(dict, '# extra words\n');
    writeFileSync(stop, '');
    const reg = createAnalyzers({ userDictPath: dict, stopWordsPath: stop });
    assert.notDeepEqual(reg.get('ik').analyze('潮汐搜索', 'query'), ['潮汐搜索']);
    const version = reg.version;
    assert.equal(reg.reload(), false);
    assert.equal(reg.version, version, 'an unchanged dictionary keeps the version (searchers keep their plans)');
    writeFileSync(dict, '# extra words\n潮汐搜索\n阿里雲盤 100000 nz\n');
    writeFileSync(stop, 'the\n的\n');
    assert.equal(reg.reload(), true);
    assert.notEqual(reg.version, version, 'a changed dictionary moves the version (searchers analyse queries again)');
    const ik2 = reg.get('ik');
    assert.deepEqual(ik2.analyze('潮汐搜索', 'query'), ['潮汐搜索']);
    assert.deepEqual(ik2.analyze('阿里云盘', 'query'), ['阿里云盘']); // listed in traditional, folded
    assert.ok(ik2.analyze('我用潮汐搜索找资料', 'index').includes('潮汐搜索'));
    assert.deepEqual(ik2.analyze('the 的', 'query'), []);
    assert.ok(!ik2.analyze('我的书 the book', 'index').includes('的'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing dictionary file is a typed error naming the setting', () => {
  assert.throws(() => createAnalyzers({ userDictPath: '/nonexistent/user.dict' }), (e: unknown) => {
    const err = e as { code?: string; field?: string };
    return err.code === 'BAD_REQUEST' && err.field === 'userDictPath';
  });
});

// The index tokens as ik.ts states its rules, spelled out naively: fold; split into Han runs and the rest; in
// a Han run every character, then every dictionary word starting there (shortest first), and a run with a
// character outside the BMP as jieba's cutAll gives it; the rest as `standard` tokenizes it.
const referenceIndexTokens = (() => {
  const words = new Set(readFileSync(dictPath, 'utf8').split('\n').map((l) => l.split(' ')[0]!).filter((w) => w.length >= 2));
  const fold = chineseFold();
  const standard = registry.get('standard');
  const jieba = Jieba.withDict(readFileSync(dictPath));
  return (text: string): string[] => {
    const out: string[] = [];
    for (const m of fold.fold(text).matchAll(/(\p{Script=Han}+)|[^\p{Script=Han}]+/gu)) {
      const run = m[0];
      if (m[1] === undefined) out.push(...standard.analyze(run, 'index'));
      else if (/[\ud800-\udfff]/.test(run)) out.push(...jieba.cutAll(run));
      else
        for (let i = 0; i < run.length; i++) {
          out.push(run[i]!);
          for (let j = i + 2; j <= run.length; j++) if (words.has(run.slice(i, j))) out.push(run.slice(i, j));
        }
    }
    return out;
  };
})();

test('index tokens, written into one string without a string per token, are the rules\' tokens (property)', () => {
  const piece = fc.oneof(
    fc.constantFrom(...WORDS.slice(0, 300), ...HANDWRITTEN),
    fc.constantFrom(' ', '，', '。', 'The', 'FP-5180', 'iPhone15', "don't", 'Crème brûlée', 'Москва', 'ＡＢＣ１２３', '國際', '🎂', '𠀀字', '\u3000', 'é', 'x'),
    // Code units that only separate words, and look-alikes that do not (folded to letters, marks, emoji, scripts
    // with their own word rules).
    fc.constantFrom('、', '…', '·', '—', '「', '」', '《', '》', '￥', '℃', '™', '©', '①', '½', 'ﬁ', '\u0301', '゠', '・', '฿', '㋐', '☺', 'ǅ', 'Ⅻ'),
    fc.string({ unit: 'grapheme', maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 10 }), (parts) => {
      const text = parts.join('');
      const want = referenceIndexTokens(text);
      assert.equal(ik.indexText(text), want.join(' '), text);
      assert.deepEqual(ik.analyze(text, 'index'), want, text);
    }),
    { numRuns: 3000 },
  );
  // The benchmark's bios: Chinese words, English under Zipf weights, codes, punctuation.
  for (const row of employeeRows(0, 300)) if (row.bio !== null) assert.equal(ik.indexText(row.bio), referenceIndexTokens(row.bio).join(' '));
});

test('a text far longer than the index buffer, and a short one after it, come out whole', () => {
  const long = '北京大学 the Book 研究生命起源。'.repeat(20_000);
  const want = referenceIndexTokens(long).join(' ');
  assert.equal(ik.indexText(long), want);
  assert.equal(ik.indexText('北京 abc'), referenceIndexTokens('北京 abc').join(' '));
});
