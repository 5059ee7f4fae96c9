// The Solr routes through Fastify inject: Solr 9's JSON layout for select, get, ping, schema, collections,
// form POSTs, the search4 alias, exact 64-bit integers, and the 400 error layout for parse errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { solrRoutes, writeJson } from '../../../../src/api/solr/index.js';
import { createSearcher, inThread, type Searcher } from '../../../../src/engine/search/index.js';
import { booksSpec, buildGeneration, fakeAnalyzers, type BuiltGeneration } from '../../engine/search/books-fixture.js';

let gen: BuiltGeneration;
let searcher: Searcher;
let app: FastifyInstance;
const queries: [string, number][] = [];

before(async () => {
  gen = buildGeneration();
  searcher = inThread(createSearcher(gen.file, booksSpec, fakeAnalyzers));
  app = Fastify();
  await app.register(solrRoutes, {
    resolve: (name) => (name === 'books' ? { spec: booksSpec, searcher } : undefined),
    list: () => ['books'],
    onQuery: (index, _ms, hits) => queries.push([index, hits]),
  });
});
after(async () => {
  await app.close();
  searcher.close();
  gen.cleanup();
});

test('select answers with Solr 9 layout and echoes the params', async () => {
  const res = await app.inject({ method: 'GET', url: '/solr/books/select?q=quick&fl=id,score&fq=category:food&fq=qty:[1%20TO%20*]&wt=json' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['responseHeader', 'response']);
  assert.equal(body.responseHeader.status, 0);
  assert.equal(typeof body.responseHeader.QTime, 'number');
  assert.deepEqual(body.responseHeader.params, { q: 'quick', fl: 'id,score', fq: ['category:food', 'qty:[1 TO *]'], wt: 'json' });
  assert.deepEqual(Object.keys(body.response), ['numFound', 'start', 'maxScore', 'numFoundExact', 'docs']);
  assert.deepEqual(body.response.docs.map((d: { id: number }) => d.id), [4]);
  assert.deepEqual(queries.at(-1), ['books', 1]);
});

test('POST form, trailing slash, and the search4 alias', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/solr/search4books/select/',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    payload: 'q=*:*&rows=2&sort=id%20desc&fl=id&facet=true&facet.field=category&facet.mincount=1&hl=true',
  });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(body.response.docs, [{ id: 8 }, { id: 7 }]);
  assert.deepEqual(body.facet_counts.facet_fields.category, ['animals', 3, 'food', 2, 'tech', 2, 'travel', 1]);
  assert.deepEqual(Object.keys(body.facet_counts), ['facet_queries', 'facet_fields', 'facet_ranges', 'facet_intervals', 'facet_heatmaps']);
  assert.deepEqual(body.highlighting, { '8': {}, '7': {} });
});

test('64-bit integers reach the JSON text exactly', async () => {
  const res = await app.inject({ url: '/solr/books/select?q=id:1&fl=big' });
  assert.match(res.body, /"big":9007199254740993\b/);
  assert.equal(writeJson({ a: -9007199254740993n, b: [1.5, 'x'] }), '{"a":-9007199254740993,"b":[1.5,"x"]}');
});

test('parse errors are HTTP 400 with Solr error layout naming the position', async () => {
  const res = await app.inject({ url: '/solr/books/select?q=title:(quick&wt=json' });
  assert.equal(res.statusCode, 400);
  const body = res.json();
  assert.equal(body.responseHeader.status, 400);
  assert.equal(body.error.code, 400);
  assert.deepEqual(body.error.metadata, ['error-class', 'org.apache.solr.common.SolrException', 'root-error-class', 'org.apache.solr.parser.ParseException']);
  assert.match(body.error.msg, /^org\.apache\.solr\.search\.SyntaxError: Cannot parse 'title:\(quick': .*position 13/);
  const undef = await app.inject({ url: '/solr/books/select?q=*:*&sort=colour%20asc' });
  assert.equal(undef.statusCode, 400);
  assert.match(undef.json().error.msg, /undefined field colour/);
  const missing = await app.inject({ url: '/solr/nope/select?q=*:*' });
  assert.equal(missing.statusCode, 404);
});

test('real-time get, ping, schema fields, collections list', async () => {
  assert.deepEqual((await app.inject({ url: '/solr/books/get?id=2&fl=id,title' })).json(), { doc: { id: 2, title: 'Lazy Dogs' } });
  assert.deepEqual((await app.inject({ url: '/solr/books/get?id=999' })).json(), { doc: null });
  const many = (await app.inject({ url: '/solr/books/get?ids=1,3&fl=id' })).json();
  assert.deepEqual(many, { response: { numFound: 2, start: 0, numFoundExact: true, docs: [{ id: 1 }, { id: 3 }] } });
  const ping = (await app.inject({ url: '/solr/books/admin/ping?wt=json' })).json();
  assert.equal(ping.status, 'OK');
  assert.equal(ping.responseHeader.status, 0);
  const fields = (await app.inject({ url: '/solr/books/schema/fields' })).json().fields;
  assert.deepEqual(fields[0], { name: 'id', type: 'plong', multiValued: false, indexed: true, stored: true, required: true, uniqueKey: true });
  assert.equal(fields.find((f: { name: string }) => f.name === 'title').type, 'text_standard');
  const list = (await app.inject({ url: '/solr/admin/collections?action=LIST' })).json();
  assert.deepEqual(list.collections, ['books']);
});
