// The search pool answers exactly as the in-thread searcher does, from worker threads: errors keep their
// code, writes to the generation reach every worker's cache, and a generation swap lets searches already
// asked of the old generation finish there while new ones go to the new one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzers } from '../../../../src/engine/analysis/index.js';
import { createSearcher, createSearchPool, type SearchPool, type SearchRequest } from '../../../../src/engine/search/index.js';
import { GenerationWriter } from '../../../../src/engine/store/writer.js';
import { TidesearchError } from '../../../../src/errors/index.js';
import { books, booksSpec, buildGeneration, type BuiltGeneration } from './books-fixture.js';

const analyzers = createAnalyzers();
let pool: SearchPool;
let gen: BuiltGeneration;
before(() => {
  pool = createSearchPool({ size: 2 });
  gen = buildGeneration(booksSpec, books, analyzers);
});
after(async () => {
  await pool.close();
  gen.cleanup();
});

const requests: SearchRequest[] = [
  { q: 'quick', fl: 'id,score' },
  { q: 'quick OR 北京', fq: ['-category:tech'], sort: 'price desc', fl: '*' },
  { q: '*:*', rows: 3, start: 2, sort: 'published asc', facet: { fields: ['category'], queries: ['price:[* TO 15]'] } },
  { q: 'fox*', hl: { fields: ['title', 'body'] }, fl: 'id' },
  { q: 'title:dogs', defType: 'edismax', qf: 'title^2 body', fl: 'id,score' },
  { q: '*:*', sort: 'id asc', rows: 3, cursorMark: '*' },
];

test('answers equal the in-thread searcher, documents by key included', async () => {
  const local = createSearcher(gen.file, booksSpec, analyzers);
  const remote = pool.open(gen.file, booksSpec);
  try {
    for (const req of requests) assert.deepEqual(await remote.search(req), local.search(req), JSON.stringify(req));
    assert.deepEqual(await remote.get(['3', '1', 'nope'], 'id,big,price'), local.get(['3', '1', 'nope'], 'id,big,price'));
    // Many at once: every answer is the one asked for, whichever worker gave it.
    const many = await Promise.all(Array.from({ length: 24 }, (_, i) => remote.search(requests[i % requests.length]!)));
    many.forEach((r, i) => assert.deepEqual(r, local.search(requests[i % requests.length]!)));
  } finally {
    remote.close();
    local.close();
  }
});

test('errors keep their code, field and status across the thread boundary', async () => {
  const remote = pool.open(gen.file, booksSpec);
  try {
    await assert.rejects(remote.search({ q: 'title:(' }), (e: unknown) => e instanceof TidesearchError && e.code === 'QUERY_SYNTAX' && e.status === 400 && /position/.test(e.message));
    await assert.rejects(remote.search({ q: '*:*', sort: 'colour asc' }), (e: unknown) => e instanceof TidesearchError && e.code === 'UNDEFINED_FIELD' && e.field === 'sort');
    await assert.rejects(remote.search({ q: '*:*', cursorMark: 'garbage' }), (e: unknown) => e instanceof TidesearchError && e.code === 'BAD_REQUEST');
    assert.equal((await remote.search({ q: 'quick' })).numFound > 0, true, 'the worker keeps serving after errors');
  } finally {
    remote.close();
  }
});

test('every worker sees what the writer commits (cached results are dropped)', async () => {
  const g = buildGeneration(booksSpec, books, analyzers);
  const remote = pool.open(g.file, booksSpec);
  try {
    const ask = () => Promise.all(Array.from({ length: 8 }, () => remote.search({ q: 'zebra OR quick', fl: 'id', rows: 100 })));
    const before = await ask();
    assert.ok(before.every((r) => !r.docs.some((d) => d['id'] === 99) && r.docs.some((d) => d['id'] === 1)));
    const w = new GenerationWriter(g.file, booksSpec);
    const values = { ...books[0]!, id: 99, title: 'Zebra crossing', body: 'a zebra', big: 1 };
    w.apply([{ kind: 'upsert', key: '99', version: 200n, values, tokens: ['zebra crossing', 'a zebra'] }, { kind: 'delete', key: '1', version: 200n }], [], () => true);
    w.close();
    for (const r of await ask()) {
      assert.equal(r.numFound, before[0]!.numFound);
      assert.ok(r.docs.some((d) => d['id'] === 99));
      assert.ok(!r.docs.some((d) => d['id'] === 1));
    }
    assert.deepEqual(await remote.get(['1', '99'], 'id'), [{ id: 99 }]);
  } finally {
    remote.close();
    g.cleanup();
  }
});

test('a swap: searches asked of the old generation finish there, later ones read the new one', async () => {
  const older = buildGeneration(booksSpec, books, analyzers);
  const newer = buildGeneration(booksSpec, [...books.slice(0, 3), { ...books[3]!, id: 42, title: 'Swapped in' }], analyzers);
  try {
    const a = pool.open(older.file, booksSpec);
    const inFlight = Array.from({ length: 6 }, () => a.search({ q: '*:*', rows: 100, fl: 'id' }));
    const b = pool.open(newer.file, booksSpec);
    a.close();
    for (const r of await Promise.all(inFlight)) assert.equal(r.numFound, books.length);
    await assert.rejects(a.search({ q: '*:*' }), (e: unknown) => e instanceof TidesearchError);
    const now = await b.search({ q: '*:*', rows: 100, fl: 'id', sort: 'id asc' });
    assert.deepEqual(now.docs, [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 42 }]);
    assert.equal((await b.search({ q: 'swapped', fl: 'id' })).numFound, 1);
    b.close();
  } finally {
    older.cleanup();
    newer.cleanup();
  }
});

test('a closed pool refuses searches with SHUTTING_DOWN', async () => {
  const p = createSearchPool({ size: 1 });
  const s = p.open(gen.file, booksSpec);
  assert.equal((await s.search({ q: 'quick', fl: 'id' })).numFound > 0, true);
  await p.close();
  await assert.rejects(s.search({ q: 'quick' }), (e: unknown) => e instanceof TidesearchError && e.code === 'SHUTTING_DOWN');
});
