// pinyin: Chinese names and titles are found by full pinyin, by initials, and by the Chinese itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAnalyzers } from '../../../../src/engine/analysis/index.js';
import { NAMES, PLACES } from './corpus.js';
import { containsPhrase } from './token-match.js';

const pinyin = createAnalyzers().get('pinyin');
const found = (query: string, value: string): boolean => containsPhrase(pinyin.analyze(value, 'index'), pinyin.analyze(query, 'query'));

test('a place is found by full pinyin, initials and Chinese', () => {
  const cases: [string, string, string][] = [
    ['北京', 'beijing', 'bj'],
    ['上海', 'shanghai', 'sh'],
    ['广州', 'guangzhou', 'gz'],
    ['重庆', 'chongqing', 'cq'],
    ['西安', 'xian', 'xa'],
  ];
  for (const [zh, full, initials] of cases) {
    assert.ok(found(full, zh), `${full} → ${zh}`);
    assert.ok(found(initials, zh), `${initials} → ${zh}`);
    assert.ok(found(zh, zh), zh);
    assert.ok(found(full.toUpperCase(), zh), 'case-insensitive');
  }
  assert.ok(!found('shanghai', '北京'));
});

test('names: full, initials, mixed case and spacing, surname readings', () => {
  assert.ok(found('zhangsanfeng', '张三丰'));
  assert.ok(found('zsf', '张三丰'));
  assert.ok(found('Zhang San Feng', '张三丰'));
  assert.ok(found('lvbu', '吕布'));
  assert.ok(found('shantianfang', '单田芳'));
  assert.ok(found('dtf', '单田芳'));
  for (const name of NAMES) assert.ok(found(name, `${name}`));
});

test('the Chinese itself matches as a phrase inside a longer title; traditional folds', () => {
  assert.ok(found('北京', '北京大学'));
  assert.ok(found('大学', '北京大学'));
  assert.ok(!found('京北', '北京大学'));
  assert.ok(found('臺灣', '台湾大学'));
  assert.ok(found('taiwan', '臺灣'));
  assert.ok(found('beijingdaxue', '北京大学'));
  assert.ok(found('bjdx', '北京大学'));
});

test('mixed titles and several segments', () => {
  assert.ok(found('qqyy', 'QQ音乐'));
  assert.ok(found('qqyinyue', 'QQ音乐'));
  assert.ok(found('chuanqi', '张三丰 传奇'));
  assert.ok(found('zsfcq', '张三丰 传奇'));
  for (const p of PLACES) assert.ok(found(p, `${p}欢迎你`));
});
