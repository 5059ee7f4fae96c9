// The Lucene parser: what each piece of syntax turns into, how operators set occurrence, and that bad
// queries fail with QUERY_SYNTAX naming the position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatQuery, parseLucene, escapeLucene, parseEdismax, parseFieldWeights } from '../../../../src/engine/query/index.js';
import { TidesearchError } from '../../../../src/errors/index.js';

const fmt = (q: string, op?: 'AND' | 'OR') => formatQuery(parseLucene(q, { defaultOperator: op }));

test('terms, fields, phrases with slop, boosts', () => {
  assert.equal(fmt('hello'), 'hello');
  assert.equal(fmt('title:hello'), 'title:hello');
  assert.equal(fmt('title:"big  fox"~2^3'), 'title:"big  fox"~2^3');
  assert.equal(fmt('a^2.5 b'), '(a^2.5 b)');
  assert.equal(fmt('title:(a b)'), '(title:a title:b)');
  assert.equal(fmt('(a b)^4'), '(a b)^4');
});

test('default operator OR and AND, with +/- and NOT', () => {
  assert.equal(fmt('a b c'), '(a b c)');
  assert.equal(fmt('a b c', 'AND'), '(+a +b +c)');
  assert.equal(fmt('+a -b c'), '(+a -b c)');
  assert.equal(fmt('a AND b'), '(+a +b)');
  assert.equal(fmt('a && b || c'), '(+a +b c)');
  assert.equal(fmt('a OR b', 'AND'), '(a b)');
  assert.equal(fmt('NOT a'), '(-a)');
  assert.equal(fmt('!a b'), '(-a b)');
  assert.equal(fmt('a AND NOT b'), '(+a -b)');
  assert.equal(fmt('(a OR b) AND c'), '(+(a b) +c)');
});

test('wildcards, prefix, field existence and match-all', () => {
  const p = parseLucene('fox*');
  assert.equal(p.kind, 'prefix');
  assert.equal(parseLucene('f?x').kind, 'wildcard');
  assert.equal(parseLucene('*ox').kind, 'wildcard');
  assert.equal(parseLucene('title:*').kind, 'exists');
  assert.equal(parseLucene('*:*').kind, 'all');
  assert.equal(parseLucene('*').kind, 'all');
  assert.equal(fmt('-*:* a'), '(-*:* a)');
});

test('ranges: inclusive, exclusive, mixed, open bounds, quoted bounds', () => {
  assert.equal(fmt('price:[1 TO 10]'), 'price:[1 TO 10]');
  assert.equal(fmt('price:{1 TO 10}'), 'price:{1 TO 10}');
  assert.equal(fmt('price:[1 TO 10}'), 'price:[1 TO 10}');
  assert.equal(fmt('d:[* TO 2020-01-01T00:00:00Z]'), 'd:[* TO 2020-01-01T00:00:00Z]');
  const r = parseLucene('name:["a b" TO *]');
  assert.deepEqual(r, { kind: 'range', field: 'name', lower: 'a b', upper: null, includeLower: true, includeUpper: true, boost: 1 });
  assert.equal(fmt('n:[-5 TO -1]'), 'n:[-5 TO -1]');
});

test('escaping keeps special characters literal', () => {
  const q = parseLucene('a\\:b\\*');
  assert.deepEqual(q, { kind: 'term', field: null, text: 'a:b*', boost: 1 });
  assert.equal(parseLucene('foo-bar').kind, 'term');
  assert.deepEqual(parseLucene('"say \\"hi\\""'), { kind: 'phrase', field: null, text: 'say "hi"', slop: 0, boost: 1 });
});

test('Chinese terms parse as terms', () => {
  assert.equal(fmt('北京 大学'), '(北京 大学)');
  assert.equal(fmt('city:北京'), 'city:北京');
});

function syntaxError(q: string, position: number, expected: RegExp): void {
  assert.throws(
    () => parseLucene(q),
    (e: unknown) => {
      assert.ok(e instanceof TidesearchError);
      assert.equal(e.code, 'QUERY_SYNTAX');
      assert.equal(e.status, 400);
      assert.match(e.message, new RegExp(`position ${position}\\b`));
      assert.match(e.message, expected);
      return true;
    },
    q,
  );
}

test('syntax errors name the position and what was expected', () => {
  syntaxError('foo:(', 6, /expected '\)'/);
  syntaxError('(a b', 5, /expected '\)' to close the group/);
  syntaxError('a AND', 6, /after the operator/);
  syntaxError('AND a', 1, /unexpected operator 'AND'/);
  syntaxError('a)', 2, /unexpected '\)'/);
  syntaxError('"abc', 1, /closing '"'/);
  syntaxError('price:[1 10]', 10, /'TO'/);
  syntaxError('price:[1 TO 10', 15, /'\]' or '\}'/);
  syntaxError('a^x', 3, /a number/);
  syntaxError('title:', 7, /after the field name/);
  assert.equal(fmt('title: x'), 'title:x');
  syntaxError('a\\', 2, /after \\/);
});

test('escapeLucene makes any text parse (property)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (s) => {
      parseLucene(escapeLucene(s));
    }),
    { numRuns: 500 },
  );
});

test('edismax falls back to plain words on syntax errors; qf weights parse', () => {
  assert.equal(formatQuery(parseEdismax('foo:( bar')), '(foo\\:\\( bar)'.replace(/\\/g, ''));
  assert.deepEqual(parseFieldWeights('title^3 body^0.5 name'), [
    { name: 'title', weight: 3 },
    { name: 'body', weight: 0.5 },
    { name: 'name', weight: 1 },
  ]);
  assert.throws(() => parseFieldWeights('title^x'), /qf: cannot read 'title\^x'/);
});
