// A small index generation of books built through the store's GenerationBuilder, with a tiny analyzer
// registry (Unicode words, lower-cased; each CJK character a token) so searcher tests do not depend on
// the real analyzers' details.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldSpec, IndexSpec, TokenName } from '../../../../src/core/schema.js';
import type { RowImage } from '../../../../src/core/value.js';
import type { Analyzer, AnalyzerRegistry } from '../../../../src/engine/analysis/analyzer.js';
import { GenerationBuilder, type SealOptions } from '../../../../src/engine/store/builder.js';

function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{Script=Han}]|[\p{L}\p{N}]+/gu)) {
    for (const piece of m[0].split(/[^a-z0-9\u0080-\u{10ffff}]+/u)) if (piece) out.push(piece);
  }
  return out;
}

export const fakeAnalyzers: AnalyzerRegistry = {
  get(name: TokenName): Analyzer {
    const analyze = (text: string) => words(text).filter((w) => w !== 'the');
    return { name, analyze, indexText: (text) => analyze(text).join(' '), queryJoin: 'phrase' };
  },
};

const field = (name: string, kind: FieldSpec['kind'], token: TokenName, search = true, isKey = false): FieldSpec => ({
  name,
  kind,
  sqlType: kind,
  token,
  search,
  isKey,
});

export const booksSpec: IndexSpec = {
  name: 'books',
  db: 'shop',
  table: 'books',
  key: ['id'],
  fields: [
    field('id', 'integer', 'string', true, true),
    field('title', 'string', 'standard'),
    field('body', 'string', 'standard'),
    field('category', 'string', 'string'),
    field('price', 'decimal', 'string'),
    field('qty', 'integer', 'string'),
    field('published', 'datetime', 'string'),
    field('big', 'integer', 'string'),
    field('note', 'string', 'standard', false),
  ],
};

export const books: readonly RowImage[] = [
  { id: 1, title: 'The Quick Brown Fox', body: 'A quick brown fox jumps over the lazy dog', category: 'animals', price: '10.50', qty: 3, published: '2020-01-15T00:00:00Z', big: 9007199254740993n, note: 'n1' },
  { id: 2, title: 'Lazy Dogs', body: 'Dogs sleep all day; the lazy dog sleeps more', category: 'animals', price: '7.25', qty: 10, published: '2021-06-01T12:00:00Z', big: 1, note: null },
  { id: 3, title: 'Cooking with Fire', body: 'Recipes for quick dinners and slow roasts', category: 'food', price: '25.00', qty: 0, published: '2019-03-03T00:00:00Z', big: -9007199254740993n, note: null },
  { id: 4, title: 'Brown Bread', body: 'Baking brown bread at home, quick and easy', category: 'food', price: '12.00', qty: 7, published: '2022-11-30T08:30:00Z', big: 2, note: null },
  { id: 5, title: '北京 旅游', body: '北京是中国的首都 travel guide to Beijing', category: 'travel', price: '30.10', qty: 1, published: '2018-07-07T00:00:00Z', big: 3, note: null },
  { id: 6, title: 'Foxes of the North', body: 'Arctic foxes and red foxes in winter', category: 'animals', price: '18.00', qty: 4, published: '2023-02-02T00:00:00Z', big: 4, note: null },
  { id: 7, title: 'Quickstart Guide', body: 'Get started quickly with the quick guide', category: 'tech', price: null, qty: null, published: null, big: null, note: null },
  { id: 8, title: 'Database Internals', body: 'B-trees, LSM trees and full-text search engines', category: 'tech', price: '45.99', qty: 2, published: '2020-09-09T00:00:00Z', big: 5, note: null },
];

export interface BuiltGeneration {
  readonly file: string;
  cleanup(): void;
}

export function buildGeneration(spec: IndexSpec = booksSpec, rows: readonly RowImage[] = books, analyzers: AnalyzerRegistry = fakeAnalyzers, seal: SealOptions = {}): BuiltGeneration {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-search-'));
  const file = join(dir, 'gen-1.sqlite');
  const b = new GenerationBuilder(file, spec);
  b.setSnapshot(100n);
  const batch = b.insertDocs(rows, 100n);
  const tokenNames = b.ftsTokens;
  const tokens = batch.texts.map((t, i) => (t === null ? '' : analyzers.get(tokenNames[i % tokenNames.length]!).indexText(t)));
  b.insertTokens(batch.rids, tokens);
  b.seal(seal);
  b.close();
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
