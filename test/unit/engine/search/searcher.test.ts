// The searcher over a small generation: matches, filters, sorts, facets, highlighting and cursorMark
// paging, with expectations computed from the fixture rows rather than typed in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSearcher, type GenerationSearcher } from '../../../../src/engine/search/index.js';
import type { RowImage } from '../../../../src/core/value.js';
import { books, booksSpec, buildGeneration, fakeAnalyzers, type BuiltGeneration } from './books-fixture.js';
import { TidesearchError } from '../../../../src/errors/index.js';
import type { AnalyzerRegistry } from '../../../../src/engine/analysis/analyzer.js';

let gen: BuiltGeneration;
let s: GenerationSearcher;
before(() => {
  gen = buildGeneration();
  s = createSearcher(gen.file, booksSpec, fakeAnalyzers);
});
after(() => {
  s.close();
  gen.cleanup();
});

const words = (v: unknown): string[] => String(v ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
const has = (r: RowImage, field: string, w: string) => words(r[field]).includes(w);
const ids = (rows: readonly RowImage[]) => rows.map((r) => r['id']);
const sortedIds = (rows: readonly RowImage[]) => [...ids(rows)].sort((a, b) => Number(a) - Number(b));
const found = (req: Parameters<GenerationSearcher['search']>[0]) => s.search({ rows: 100, fl: 'id', ...req });
const foundIds = (req: Parameters<GenerationSearcher['search']>[0]) => found(req).docs.map((d) => d['id']).sort((a, b) => Number(a) - Number(b));

test('a term matches documents containing the word in any default field, best first', () => {
  const expected = books.filter((r) => has(r, 'title', 'quick') || has(r, 'body', 'quick'));
  const r = s.search({ q: 'quick', fl: 'id,score' });
  assert.equal(r.numFound, expected.length);
  assert.deepEqual(r.docs.map((d) => d['id']).sort(), sortedIds(expected).sort());
  const scores = r.docs.map((d) => d['score'] as number);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  assert.equal(r.maxScore, scores[0]);
  assert.ok(scores.every((x) => x > 0));
});

test('boolean operators, negation, and OR across full-text and exact fields', () => {
  assert.deepEqual(foundIds({ q: 'quick -fox' }), sortedIds(books.filter((r) => (has(r, 'title', 'quick') || has(r, 'body', 'quick')) && !has(r, 'title', 'fox') && !has(r, 'body', 'fox'))));
  assert.deepEqual(foundIds({ q: '-category:food' }), sortedIds(books.filter((r) => r['category'] !== 'food')));
  assert.deepEqual(foundIds({ q: 'title:brown OR category:tech' }), sortedIds(books.filter((r) => has(r, 'title', 'brown') || r['category'] === 'tech')));
  assert.deepEqual(foundIds({ q: 'brown AND bread' }), sortedIds(books.filter((r) => ['brown', 'bread'].every((w) => has(r, 'title', w) || has(r, 'body', w)))));
  assert.deepEqual(foundIds({ q: 'fox dog', qOp: 'AND' }), sortedIds(books.filter((r) => ['fox', 'dog'].every((w) => has(r, 'title', w) || has(r, 'body', w)))));
  assert.deepEqual(foundIds({ q: 'note:*' }), sortedIds(books.filter((r) => r['note'] !== null)));
});

test('phrases, slop, prefix and wildcard on full-text fields', () => {
  assert.deepEqual(foundIds({ q: '"lazy dog"' }), sortedIds(books.filter((r) => /lazy dog/i.test(String(r['body'])))));
  assert.deepEqual(foundIds({ q: 'body:"quick fox"' }), []);
  assert.deepEqual(foundIds({ q: 'body:"quick fox"~2' }), [1]);
  const foxy = sortedIds(books.filter((r) => [...words(r['title']), ...words(r['body'])].some((w) => w.startsWith('fox'))));
  assert.deepEqual(foundIds({ q: 'fox*' }), foxy);
  assert.deepEqual(foundIds({ q: 'f?x*' }), foxy);
  assert.deepEqual(foundIds({ q: '北京' }), sortedIds(books.filter((r) => String(r['title']).includes('北京'))));
});

test('typed ranges on decimal, integer and date fields, with open bounds', () => {
  assert.deepEqual(foundIds({ q: 'price:[10 TO 20]' }), sortedIds(books.filter((r) => r['price'] !== null && Number(r['price']) >= 10 && Number(r['price']) <= 20)));
  assert.deepEqual(foundIds({ q: 'qty:{0 TO *]' }), sortedIds(books.filter((r) => r['qty'] !== null && Number(r['qty']) > 0)));
  assert.deepEqual(foundIds({ q: 'published:[2020-01-01 TO 2022-01-01T00:00:00Z}' }), sortedIds(books.filter((r) => r['published'] !== null && String(r['published']) >= '2020-01-01' && String(r['published']) < '2022-01-01')));
  assert.deepEqual(foundIds({ q: 'big:9007199254740993' }), [1]);
});

test('fq filters without changing scores; sort by fields with ties by document order', () => {
  const a = s.search({ q: 'quick', fl: 'id,score' });
  const b = s.search({ q: 'quick', fq: ['category:food'], fl: 'id,score' });
  for (const d of b.docs) assert.equal(d['score'], a.docs.find((x) => x['id'] === d['id'])!['score']);
  assert.deepEqual(b.docs.map((d) => d['id']).sort(), sortedIds(books.filter((r) => r['category'] === 'food' && (has(r, 'title', 'quick') || has(r, 'body', 'quick')))));
  const bySort = found({ q: '*:*', sort: 'category asc, price desc' }).docs.map((d) => d['id']);
  const expected = [...books].sort((x, y) => String(x['category']).localeCompare(String(y['category'])) || (Number(y['price'] ?? -Infinity) - Number(x['price'] ?? -Infinity)) || Number(x['id']) - Number(y['id']));
  assert.deepEqual(bySort, ids(expected));
});

test('values come back in canonical form; 64-bit integers stay exact', () => {
  const d = s.get(['1', '3', 'nope'], 'id,big,price,published');
  assert.deepEqual(d, [
    { id: 1, big: 9007199254740993n, price: '10.50', published: '2020-01-15T00:00:00Z' },
    { id: 3, big: -9007199254740993n, price: '25.00', published: '2019-03-03T00:00:00Z' },
  ]);
});

test('facets count values of matching documents, zero counts included by default', () => {
  const r = s.search({ q: '*:*', fq: ['qty:[1 TO *]'], rows: 0, facet: { fields: ['category'], queries: ['quick', 'price:[* TO 15]'] } });
  const matching = books.filter((r) => r['qty'] !== null && Number(r['qty']) >= 1);
  const counts = new Map<string, number>();
  for (const b of books) counts.set(String(b['category']), 0);
  for (const m of matching) counts.set(String(m['category']), counts.get(String(m['category']))! + 1);
  const expected = [...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
  assert.deepEqual(r.facets!.fields, [['category', expected]]);
  assert.deepEqual(r.facets!.queries, [
    ['quick', matching.filter((b) => has(b, 'title', 'quick') || has(b, 'body', 'quick')).length],
    ['price:[* TO 15]', matching.filter((b) => b['price'] !== null && Number(b['price']) <= 15).length],
  ]);
  const limited = s.search({ q: '*:*', rows: 0, facet: { fields: ['category'], queries: [], limit: 1, mincount: 1 } });
  assert.deepEqual(limited.facets!.fields[0]![1], [['animals', books.filter((b) => b['category'] === 'animals').length]]);
});

test('highlighting wraps the query words in the stored text', () => {
  const r = s.search({ q: 'quick OR 北京', fl: 'id', hl: { fields: ['title', 'body'], pre: '[', post: ']' } });
  const hl = new Map(r.highlighting);
  assert.deepEqual(hl.get('1'), { title: ['The [Quick] Brown Fox'], body: ['A [quick] brown fox jumps over the lazy dog'] });
  assert.deepEqual(hl.get('5'), { title: ['[北京] 旅游'], body: ['[北京]是中国的首都 travel guide to Beijing'] });
  assert.equal(hl.size, r.docs.length);
});

test('cursorMark pages through every document exactly once in sort order', () => {
  const cases = [
    ['*:*', 'price asc, id asc'],
    ['quick OR fox OR brown', 'score desc, id asc'],
    ['quick OR category:tech OR price:[20 TO *]', 'score desc, id asc'],
    ['-category:food', 'published desc, id desc'],
  ] as const;
  for (const [q, sort] of cases) {
    const seen: unknown[] = [];
    let mark = '*';
    for (let i = 0; i < 20; i++) {
      const r = s.search({ q, sort, rows: 2, fl: 'id', cursorMark: mark });
      seen.push(...r.docs.map((d) => d['id']));
      if (r.nextCursorMark === mark) break;
      mark = r.nextCursorMark!;
    }
    const all = s.search({ q, sort, rows: 100, fl: 'id' }).docs.map((d) => d['id']);
    assert.deepEqual(seen, all, `${q} / ${sort}`);
    assert.ok(all.length >= 4);
  }
});

test('errors: unknown sort field, bad cursor, syntax', () => {
  assert.throws(() => s.search({ q: '*:*', sort: 'colour asc' }), (e: unknown) => e instanceof TidesearchError && e.code === 'UNDEFINED_FIELD');
  assert.throws(() => s.search({ q: '*:*', cursorMark: 'garbage' }), (e: unknown) => e instanceof TidesearchError && e.code === 'BAD_REQUEST');
  assert.throws(() => s.search({ q: 'title:(' }), (e: unknown) => e instanceof TidesearchError && e.code === 'QUERY_SYNTAX');
});

test('any query built from the syntax either runs or fails with a user error, never an SQL error (property)', async () => {
  const { default: fc } = await import('fast-check');
  const field = fc.constantFrom('', 'title:', 'body:', 'category:', 'price:', 'qty:', 'published:', 'note:', 'big:');
  const word = fc.constantFrom('quick', 'Fox', 'the', '北京', 'a"b', 'x:y', '10.5', '2020-01-15', '7', '-3', 'AND', 'dog\\*');
  const leaf = fc.oneof(
    fc.tuple(field, word).map(([f, w]) => `${f}${w}`),
    fc.tuple(field, word, word).map(([f, a, b]) => `${f}"${a.replace(/"/g, '')} ${b.replace(/"/g, '')}"~${a.length % 3}`),
    fc.tuple(field, fc.constantFrom('fo*', 'f?x', '*ox', '*', 'qu*k')).map(([f, w]) => `${f}${w}`),
    fc.tuple(field, word, word, fc.boolean(), fc.boolean()).map(([f, a, b, i, j]) => `${f}${i ? '[' : '{'}${a.replace(/[\]}"]/g, '')} TO ${b.replace(/[\]}"]/g, '')}${j ? ']' : '}'}`),
    fc.constant('*:*'),
  );
  const query = fc.letrec((tie) => ({
    q: fc.oneof({ depthSize: 'small' }, leaf, fc.tuple(tie('q'), fc.constantFrom(' ', ' AND ', ' OR ', ' -', ' +', ' NOT ', ' && '), tie('q')).map(([a, op, b]) => `${a}${op}${b}`), tie('q').map((x) => `(${x})^2`)),
  })).q;
  fc.assert(
    fc.property(query, fc.constantFrom(undefined, 'price asc', 'score desc'), fc.boolean(), (q, sort, edismax) => {
      try {
        const r = s.search({ q, sort, fq: ['-category:tech'], rows: 3, facet: { fields: ['category'], queries: [q] }, hl: { fields: [] }, ...(edismax ? { defType: 'edismax' as const, qf: 'title^2 body' } : {}) });
        assert.ok(r.numFound >= r.docs.length);
      } catch (e) {
        if (!(e instanceof TidesearchError) || e.code === 'INTERNAL') throw e;
        assert.ok(['QUERY_SYNTAX', 'UNDEFINED_FIELD', 'BAD_REQUEST'].includes(e.code), `${e.code}: ${e.message}`);
      }
    }),
    { numRuns: 400 },
  );
});

test('a searcher sees changes the writer commits (cached results are dropped)', async () => {
  const { GenerationWriter } = await import('../../../../src/engine/store/writer.js');
  const g = buildGeneration();
  const reader = createSearcher(g.file, booksSpec, fakeAnalyzers);
  try {
    const before = reader.search({ q: 'zebra OR quick', fl: 'id' });
    const again = reader.search({ q: 'zebra OR quick', fl: 'id' });
    assert.deepEqual(again, before);
    const w = new GenerationWriter(g.file, booksSpec);
    const values = { ...books[0]!, id: 99, title: 'Zebra crossing', body: 'a zebra', big: 1 };
    w.apply([{ kind: 'upsert', key: '99', version: 200n, values, tokens: ['zebra crossing', 'a zebra'] }, { kind: 'delete', key: '1', version: 200n }], [], () => true);
    w.close();
    const after = reader.search({ q: 'zebra OR quick', fl: 'id', rows: 100 });
    assert.equal(after.numFound, before.numFound);
    assert.ok(after.docs.some((d) => d['id'] === 99));
    assert.ok(!after.docs.some((d) => d['id'] === 1));
  } finally {
    reader.close();
    g.cleanup();
  }
});

test('a repeated search follows the data: wildcards reach terms added after it first ran, pages read the fields fl names', async () => {
  const { GenerationWriter } = await import('../../../../src/engine/store/writer.js');
  const g = buildGeneration();
  const reader = createSearcher(g.file, booksSpec, fakeAnalyzers);
  try {
    const zWildcard = () => reader.search({ q: 'title:z?bra', fl: 'id', rows: 100 }).docs.map((d) => d['id']);
    assert.deepEqual(zWildcard(), []);
    assert.deepEqual(zWildcard(), []);
    const w = new GenerationWriter(g.file, booksSpec);
    const values = { ...books[0]!, id: 99, title: 'Zebra crossing', body: 'a zebra', big: 1 };
    w.apply([{ kind: 'upsert', key: '99', version: 200n, values, tokens: ['zebra crossing', 'a zebra'] }], [], () => true);
    w.close();
    assert.deepEqual(zWildcard(), [99], 'the expansion of z?bra is not kept with the plan');
    // The same q with other fields and page sizes: each answer holds what its fl names.
    const idOnly = reader.search({ q: 'title:zebra', fl: 'id' });
    const withTitle = reader.search({ q: 'title:zebra', fl: 'id,title' });
    const withScore = reader.search({ q: 'title:zebra', fl: 'id,score', rows: 1 });
    assert.deepEqual(idOnly.docs, [{ id: 99 }]);
    assert.deepEqual(withTitle.docs, [{ id: 99, title: 'Zebra crossing' }]);
    assert.deepEqual(Object.keys(withScore.docs[0]!), ['id', 'score']);
    assert.deepEqual(reader.search({ q: 'title:zebra', fl: 'id' }).docs, [{ id: 99 }]);
  } finally {
    reader.close();
    g.cleanup();
  }
});

test('a repeated search is analysed again once the registry hands out other analyzers (a reloaded dictionary)', () => {
  // After the "reload", 'quick' is a stop word of the standard analyzer, so title:quick matches nothing.
  let stopQuick = false;
  const registry: AnalyzerRegistry = {
    get version() {
      return stopQuick ? 1 : 0;
    },
    get(name) {
      const plain = fakeAnalyzers.get(name);
      return stopQuick ? { ...plain, analyze: (text, mode) => plain.analyze(text, mode).filter((w) => w !== 'quick') } : plain;
    },
  };
  const reader = createSearcher(gen.file, booksSpec, registry);
  try {
    const quick = () => reader.search({ q: 'title:quick', fl: 'id', rows: 100 }).numFound;
    const expected = books.filter((r) => has(r, 'title', 'quick')).length;
    assert.ok(expected > 0);
    assert.equal(quick(), expected);
    assert.equal(quick(), expected);
    stopQuick = true;
    assert.equal(quick(), 0);
  } finally {
    reader.close();
  }
});

test('numFound is exact whether the hits fit in the first ranked window or not, on every page and after changes', async () => {
  const { GenerationWriter } = await import('../../../../src/engine/store/writer.js');
  // 130 documents: 'every' in all, 'half' in 65, 'few' in 7, 'edge' in exactly 50 (one window).
  const rows: RowImage[] = Array.from({ length: 130 }, (_, i) => ({
    ...books[1]!,
    id: 1000 + i,
    title: ['every', i % 2 === 0 ? 'half' : '', i % 19 === 0 ? 'few' : '', i < 50 ? 'edge' : ''].join(' '),
    body: `page ${i}`,
    big: i,
  }));
  const g = buildGeneration(booksSpec, rows);
  const reader = createSearcher(g.file, booksSpec, fakeAnalyzers);
  const expected = (w: string) => rows.filter((r) => has(r, 'title', w));
  try {
    for (const w of ['every', 'half', 'few', 'edge']) {
      const want = expected(w).length;
      for (const [start, n] of [[0, 10], [0, 0], [45, 10], [60, 10], [120, 20], [0, 200]] as const) {
        const r = reader.search({ q: `title:${w}`, start, rows: n, fl: 'id' });
        assert.equal(r.numFound, want, `${w} start=${start} rows=${n}`);
        assert.equal(r.docs.length, Math.max(0, Math.min(n, want - start)));
      }
      const sorted = reader.search({ q: `title:${w}`, sort: 'id desc', fq: ['category:animals'], rows: 5, fl: 'id' });
      assert.equal(sorted.numFound, want);
      assert.deepEqual(sorted.docs.map((d) => d['id']), ids(expected(w)).reverse().slice(0, 5));
      const filtered = reader.search({ q: `title:${w}`, fq: ['qty:10'], rows: 5, start: 3, fl: 'id,score' });
      assert.equal(filtered.numFound, want);
      assert.equal(filtered.docs.length, Math.max(0, Math.min(5, want - 3)));
      assert.equal(reader.search({ q: `title:${w}`, fq: ['qty:11'], rows: 5 }).numFound, 0);
      const paged = reader.search({ q: `title:${w}`, sort: 'id asc', rows: 5, fl: 'id', cursorMark: '*' });
      const next = reader.search({ q: `title:${w}`, sort: 'id asc', rows: 5, fl: 'id', cursorMark: paged.nextCursorMark! });
      assert.equal(next.numFound, want);
    }
    const w = new GenerationWriter(g.file, booksSpec);
    const added = { ...rows[0]!, id: 5000, title: 'few edge', body: 'new' };
    w.apply([{ kind: 'upsert', key: '5000', version: 200n, values: added, tokens: ['few edge', 'new'] }, { kind: 'delete', key: '1000', version: 200n }], [], () => true);
    w.close();
    assert.equal(reader.search({ q: 'title:few', fl: 'id' }).numFound, expected('few').length); // 1000 had 'few'; 5000 replaces it
    assert.equal(reader.search({ q: 'title:edge', fl: 'id' }).numFound, 50);
    assert.equal(reader.search({ q: 'title:every', fl: 'id' }).numFound, 129);
  } finally {
    reader.close();
    g.cleanup();
  }
});

test('pages of exact-field matches hold the right documents, only the fields fl names, and numFound, on every page', () => {
  // 130 documents in two categories; exact fields are read in index order with their documents' columns.
  const rows: RowImage[] = Array.from({ length: 130 }, (_, i) => ({ ...books[i % 7]!, id: 2000 + i, category: i % 3 === 0 ? 'rare' : 'common', big: i % 50, qty: i }));
  const g = buildGeneration(booksSpec, rows);
  const reader = createSearcher(g.file, booksSpec, fakeAnalyzers);
  try {
    const cases: [string, (r: RowImage) => boolean][] = [
      ['category:rare', (r) => r['category'] === 'rare'],
      ['category:common', (r) => r['category'] === 'common'],
      ['big:7', (r) => r['big'] === 7],
      ['big:[10 TO 19]', (r) => (r['big'] as number) >= 10 && (r['big'] as number) <= 19],
      ['*:*', () => true],
    ];
    for (const [q, keep] of cases) {
      const want = rows.filter(keep);
      for (const [start, n] of [[0, 10], [0, 0], [5, 10], [40, 10], [120, 20], [0, 200], [500, 10]] as const) {
        const r = reader.search({ q, start, rows: n, fl: 'id,qty' });
        const page = want.slice(start, start + n);
        assert.equal(r.numFound, want.length, `${q} start=${start} rows=${n}`);
        assert.deepEqual(r.docs, page.map((p) => ({ id: p['id'], qty: p['qty'] })), `${q} start=${start} rows=${n}`);
      }
      const desc = reader.search({ q, sort: 'id desc', rows: 3, fl: 'id' });
      assert.deepEqual(desc.docs.map((d) => d['id']), ids(want).reverse().slice(0, 3));
      assert.deepEqual(reader.search({ q, rows: 2, fl: 'score' }).docs, want.slice(0, 2).map(() => ({ score: 1 })));
    }
  } finally {
    reader.close();
    g.cleanup();
  }
});

test('numFound of an exact value held by many documents is their stored count, kept exact by the writer', async () => {
  const { GenerationWriter } = await import('../../../../src/engine/store/writer.js');
  const Database = (await import('better-sqlite3')).default;
  // 'common' (87 documents) gets a stored count at seal, 'rare' (43) does not (valueMinDocs 50).
  const rows: RowImage[] = Array.from({ length: 130 }, (_, i) => ({ ...books[i % 7]!, id: 3000 + i, category: i % 3 === 0 ? 'rare' : 'common', qty: i % 4 }));
  const g = buildGeneration(booksSpec, rows, fakeAnalyzers, { valueMinDocs: 50 });
  const reader = createSearcher(g.file, booksSpec, fakeAnalyzers);
  const model = new Map(rows.map((r) => [r['id'] as number, r]));
  const hits = (category: string, qty?: number) => [...model.values()].filter((r) => r['category'] === category && (qty === undefined || r['qty'] === qty)).length;
  const numFound = (q: string, fq?: string[]) => reader.search({ q, fq, rows: 0 }).numFound;
  const expectCounts = (when: string) => {
    for (const c of ['common', 'rare', 'none']) {
      assert.equal(numFound(`category:${c}`), hits(c), `category:${c} ${when}`);
      assert.equal(numFound('*:*', [`category:${c}`]), hits(c), `fq category:${c} ${when}`);
      assert.equal(numFound(`category:${c}`, ['qty:1']), hits(c, 1), `category:${c} fq qty:1 ${when}`);
    }
  };
  try {
    expectCounts('after seal');
    const w = new GenerationWriter(g.file, booksSpec);
    const upsert = (id: number, category: string, version: bigint) => {
      const values: RowImage = { ...books[0]!, id, category, qty: 1 };
      model.set(id, values);
      return { kind: 'upsert' as const, key: String(id), version, values, tokens: [String(values['title']), String(values['body'])] };
    };
    const remove = (id: number, version: bigint) => {
      model.delete(id);
      return { kind: 'delete' as const, key: String(id), version };
    };
    // New documents, deletes, and documents moving between the two values; twice the same key in one transaction.
    w.apply([upsert(9000, 'common', 200n), upsert(9001, 'common', 200n), remove(3001, 200n), upsert(3002, 'rare', 200n), upsert(3003, 'common', 200n)], [], () => true);
    w.apply([upsert(9001, 'rare', 201n), upsert(9001, 'common', 202n), remove(3004, 201n), upsert(9002, 'none', 201n), remove(9000, 203n), upsert(9003, 'rare', 201n)], [], () => true);
    w.close();
    expectCounts('after changes');
    assert.equal(numFound('*:*'), model.size, 'every document, from the stored document count');
    // The count is the stored one: a tampered row shows in numFound.
    const raw = new Database(g.file);
    raw.prepare("UPDATE value_counts SET n = n + 1000 WHERE value = 'common'").run();
    raw.close();
    assert.equal(numFound('category:common'), hits('common') + 1000);
  } finally {
    reader.close();
    g.cleanup();
  }
});

test('facet.field counts equal counts over the matching rows, for fields of few and of many values, any sort, mincount, limit and offset', () => {
  // category: 5 values (counted in one pass per value), qty: 40 values (GROUP BY), both indexed.
  const cats = ['animals', 'food', 'tech', 'travel', 'zoo'];
  const rows: RowImage[] = Array.from({ length: 160 }, (_, i) => ({
    ...books[i % 7]!,
    id: 3000 + i,
    title: i % 4 === 0 ? 'quick red' : 'slow',
    category: i % 11 === 0 ? null : cats[(i * 7) % 5 === 4 && i > 40 ? 4 : i % 4]!,
    qty: i % 40,
  }));
  const g = buildGeneration(booksSpec, rows);
  const reader = createSearcher(g.file, booksSpec, fakeAnalyzers);
  const compare = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
  const expected = (matching: readonly RowImage[], field: string, o: { limit: number; mincount: number; offset: number; sort: 'count' | 'index' }) => {
    const values = [...new Set(rows.map((r) => r[field]).filter((v) => v !== null && v !== undefined))].sort(compare);
    const counted = values.map((v): [unknown, number] => [v, matching.filter((r) => r[field] === v).length]).filter(([, c]) => c >= o.mincount);
    if (o.sort === 'count') counted.sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
    const page = o.limit < 0 ? counted.slice(o.offset) : counted.slice(o.offset, o.offset + o.limit);
    return page.map(([v, c]) => [String(v), c]);
  };
  try {
    const queries: [string, string[], (r: RowImage) => boolean][] = [
      ['*:*', [], () => true],
      ['title:quick', [], (r) => String(r['title']).includes('quick')],
      ['title:slow', ['qty:[5 TO 20]'], (r) => String(r['title']).includes('slow') && (r['qty'] as number) >= 5 && (r['qty'] as number) <= 20],
      ['title:nothing', [], () => false],
    ];
    for (const [q, fq, keep] of queries) {
      const matching = rows.filter(keep);
      for (const field of ['category', 'qty']) {
        for (const o of [
          { limit: 100, mincount: 0, offset: 0, sort: 'count' },
          { limit: 3, mincount: 1, offset: 1, sort: 'count' },
          { limit: -1, mincount: 2, offset: 0, sort: 'index' },
          { limit: 4, mincount: 0, offset: 2, sort: 'index' },
        ] as const) {
          const r = reader.search({ q, fq, rows: 0, facet: { fields: [field], queries: [], ...o } });
          assert.deepEqual(r.facets!.fields, [[field, expected(matching, field, o)]], `${q} ${fq} ${field} ${JSON.stringify(o)}`);
        }
      }
    }
  } finally {
    reader.close();
    g.cleanup();
  }
});

test('zero-count facet values come in value order from indexed, decimal and key fields alike', () => {
  const r = s.search({ q: 'category:tech', rows: 0, facet: { fields: ['qty', 'price', 'id', 'published'], queries: [], limit: -1 } });
  const hits = books.filter((b) => b['category'] === 'tech');
  const expected = (field: string, text: (v: unknown) => string, order: (a: unknown, b: unknown) => number) => {
    const values = [...new Set(books.map((b) => b[field]).filter((v) => v !== null))].sort(order);
    const counted = values.map((v): [string, number] => [text(v), hits.filter((h) => h[field] === v).length]);
    return [...counted.filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || 0), ...counted.filter(([, c]) => c === 0)];
  };
  const byNumber = (a: unknown, b: unknown) => Number(a) - Number(b);
  const facets = new Map(r.facets!.fields);
  // facet.limit < 0 sorts by value (index order), counted and zero values alike.
  const indexOrder = (field: string, text: (v: unknown) => string, order: (a: unknown, b: unknown) => number) =>
    [...new Set(books.map((b) => b[field]).filter((v) => v !== null))].sort(order).map((v): [string, number] => [text(v), hits.filter((h) => h[field] === v).length]);
  assert.deepEqual(facets.get('qty'), indexOrder('qty', String, byNumber));
  assert.deepEqual(facets.get('price'), indexOrder('price', String, byNumber));
  assert.deepEqual(facets.get('id'), indexOrder('id', String, byNumber));
  assert.deepEqual(facets.get('published'), indexOrder('published', String, (a, b) => String(a).localeCompare(String(b))));
  // Sorted by count (the default with a limit), zero counts follow the counted values in value order.
  const byCount = s.search({ q: 'category:tech', rows: 0, facet: { fields: ['qty'], queries: [], limit: 100 } });
  assert.deepEqual(byCount.facets!.fields[0]![1], expected('qty', String, byNumber));
});

test('pages sorted by an indexed field equal a full sort, with ties, nulls, filters, offsets and correlated hits', () => {
  // 3000 documents: 'common' in 80 %, 'late' only in the documents that sort last by qty; qty has ten values
  // (many ties), published has nulls, price is a decimal.
  const rows: RowImage[] = Array.from({ length: 3000 }, (_, i) => ({
    ...books[0]!,
    id: 10_000 + i,
    title: [i % 5 !== 0 ? 'common' : 'rare', i % 10 === 0 ? 'late' : ''].join(' '),
    body: 'x',
    category: i % 3 === 0 ? 'food' : 'animals',
    qty: i % 10 === 0 ? -1 : (i * 7) % 10,
    price: `${(i * 37) % 500}.${String(i % 100).padStart(2, '0')}`,
    published: i % 4 === 0 ? null : `20${String(10 + (i % 13)).padStart(2, '0')}-01-01T00:00:00Z`,
    big: i,
  }));
  const g = buildGeneration(booksSpec, rows);
  const reader = createSearcher(g.file, booksSpec, fakeAnalyzers);
  const cmp = (a: unknown, b: unknown): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1);
  try {
    const cases: [string, string, string[]][] = [
      ['common', 'qty desc', []],
      ['common', 'qty asc', ['category:food']],
      ['common', 'published desc', []],
      ['common', 'published asc', ['category:animals']],
      ['common', 'price desc', []],
      ['late', 'qty desc', []],
      ['common', 'qty asc, published desc', []],
    ];
    for (const [w, sort, fq] of cases) {
      const [field, dir] = sort.split(',')[0]!.trim().split(' ') as [string, string];
      const second = sort.split(',')[1]?.trim().split(' ') as [string, string] | undefined;
      const num = field === 'price' ? (v: unknown) => (v === null ? null : Number(v)) : (v: unknown) => v;
      const matching = rows.filter((r) => has(r, 'title', w) && fq.every((f) => r['category'] === f.split(':')[1]));
      const sorted = [...matching].sort(
        (a, b) =>
          (dir === 'desc' ? -1 : 1) * cmp(num(a[field]), num(b[field])) ||
          (second ? (second[1] === 'desc' ? -1 : 1) * cmp(a[second[0]], b[second[0]]) : 0) ||
          Number(a['id']) - Number(b['id']),
      );
      for (const [start, n] of [[0, 10], [40, 20], [0, 50], [990, 10]] as const) {
        const r = reader.search({ q: `title:${w}`, sort, fq, start, rows: n, fl: 'id' });
        assert.equal(r.numFound, matching.length, `${w} ${sort} ${fq}`);
        assert.deepEqual(r.docs.map((d) => d['id']), ids(sorted.slice(start, start + n)), `${w} ${sort} ${fq} start=${start}`);
      }
    }
  } finally {
    reader.close();
    g.cleanup();
  }
});
