// The compiler: full-text leaves become FTS5 expressions with column filters, exact fields typed column
// predicates; user text only ever travels as a bound parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery, fieldCatalog, ftsOf, parseLucene, sqlOf, type SqlParam, type TermExpander } from '../../../../src/engine/query/index.js';
import { booksSpec, fakeAnalyzers } from '../search/books-fixture.js';
import { TidesearchError } from '../../../../src/errors/index.js';

const expander: TermExpander = { expand: () => ['fox', 'foxes'] };
const fields = fieldCatalog(booksSpec);
const compile = (q: string, defaults = [{ name: 'title', weight: 2 }, { name: 'body', weight: 1 }]) =>
  compileQuery(parseLucene(q), { fields, analyzers: fakeAnalyzers, defaultFields: defaults, expander, param: 'q' });

test('a default-field term is one FTS5 expression over the default columns, weighted', () => {
  const c = compile('Quick');
  assert.equal(ftsOf(c.condition), '{t0 t1} : ("quick")');
  assert.deepEqual(c.weights, [2, 1]);
});

test('a multi-token term follows queryJoin (phrase); stop words drop the clause', () => {
  assert.equal(ftsOf(compile('title:北京').condition), '{t0} : ("北 京")');
  assert.equal(compile('title:the').condition.k, 'none');
  assert.equal(ftsOf(compile('title:the fox').condition), '{t0 t1} : ("fox")');
});

test('boolean structure maps to FTS5 AND / OR / NOT', () => {
  assert.equal(ftsOf(compile('+title:a -title:b').condition), '({t0} : ("a")) NOT ({t0} : ("b"))');
  assert.equal(ftsOf(compile('title:a OR body:b').condition), '({t0} : ("a")) OR ({t1} : ("b"))');
  assert.equal(ftsOf(compile('title:"a b"~3').condition), '{t0} : (NEAR("a" "b", 3))');
  assert.equal(ftsOf(compile('title:fo*').condition), '{t0} : ("fo" *)');
  assert.equal(ftsOf(compile('title:f?x*').condition), '{t0} : (("fox") OR ("foxes"))');
});

test('exact fields compile to typed, parameterised column predicates', () => {
  const params: SqlParam[] = [];
  const sql = sqlOf(compile('category:"x\'; DROP TABLE docs; --"').condition, params);
  assert.equal(sql, 'd.f3 = ?');
  assert.deepEqual(params, ["x'; DROP TABLE docs; --"]);
  const p2: SqlParam[] = [];
  assert.equal(sqlOf(compile('price:[10 TO 20} AND big:9007199254740993').condition, p2), '(d.f4_num >= ? AND d.f4_num < ?) AND (d.f7 = ?)');
  assert.deepEqual(p2, [10, 20, 9007199254740993n]);
  const p3: SqlParam[] = [];
  assert.equal(sqlOf(compile('published:[2020-01-01 TO *]').condition, p3), 'd.f6 >= ?');
  assert.deepEqual(p3, ['2020-01-01T00:00:00Z']);
});

test('pure negative and mixed full-text / column queries', () => {
  const p: SqlParam[] = [];
  assert.equal(sqlOf(compile('-category:food').condition, p), 'NOT COALESCE((d.f3 = ?), 0)');
  const p2: SqlParam[] = [];
  assert.equal(sqlOf(compile('title:fox OR category:tech').condition, p2), '(d.rid IN (SELECT rowid FROM fts WHERE fts MATCH ?)) OR (d.f3 = ?)');
  assert.deepEqual(p2, ['{t0} : ("fox")', 'tech']);
});

test('unknown fields and ill-typed values are errors naming them', () => {
  assert.throws(() => compile('colour:red'), (e: unknown) => e instanceof TidesearchError && e.code === 'UNDEFINED_FIELD' && /undefined field colour/.test(e.message));
  assert.throws(() => compile('qty:many'), (e: unknown) => e instanceof TidesearchError && e.code === 'QUERY_SYNTAX' && /qty holds integer values; cannot match 'many'/.test(e.message));
});
