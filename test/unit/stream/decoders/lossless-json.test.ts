// parseJsonExactKeys: native JSON.parse, then the exact digits of large numbers under the named keys; the
// result holds every integer exactly, whatever the strings hold and wherever the keys recur.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseJsonExactKeys } from '../../../../src/stream/decoders/lossless-json.js';

type Tree = { n: bigint } | { s: string } | { a: Tree[] } | { o: [string, Tree][] };

const big = fc.oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.integer().map(BigInt));
const str = fc.oneof(fc.string(), fc.constantFrom('"commitTs":1234567890123456789', '\\"commitTs\\":1', '{"commitTs":99}', 'commitTs'));
const key = fc.oneof(fc.constantFrom('commitTs', 'watermarkTs', 'other', 'es'), fc.string());
const tree: fc.Arbitrary<Tree> = fc.letrec<{ value: Tree; object: Tree }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    big.map((n) => ({ n })),
    str.map((s) => ({ s })),
    tie('object'),
    fc.array(tie('value'), { maxLength: 3 }).map((a) => ({ a })),
  ),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((o) => ({ o })),
})).object;

const json = (t: Tree): string =>
  'n' in t ? String(t.n) : 's' in t ? JSON.stringify(t.s) : 'a' in t ? `[${t.a.map(json).join(',')}]` : `{${t.o.map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`).join(',')}}`;

/** Numbers come back exact (as a number, or as their digits), strings untouched; duplicate keys: the last wins. */
function check(t: Tree, v: unknown): void {
  if ('n' in t) {
    assert.ok(typeof v === 'number' || typeof v === 'string', `number expected, got ${typeof v}`);
    assert.equal(BigInt(v), t.n);
    if (typeof v === 'number') assert.ok(Number.isSafeInteger(v));
  } else if ('s' in t) assert.equal(v, t.s);
  else if ('a' in t) {
    assert.ok(Array.isArray(v));
    t.a.forEach((x, i) => check(x, v[i]));
  } else {
    const last = new Map(t.o);
    for (const [k, x] of last) check(x, (v as Record<string, unknown>)[k]);
  }
}

test('parseJsonExactKeys returns every integer exactly and every string untouched', () => {
  fc.assert(
    fc.property(tree, (t) => check(t, parseJsonExactKeys(json(t), ['commitTs', 'watermarkTs']))),
    { numRuns: 2000 },
  );
});

test('a canal-json _tidb.commitTs keeps all its digits; the same key elsewhere does not confuse it', () => {
  const text = '{"sqlType":{"commitTs":12},"data":[{"commitTs":"\\"commitTs\\":429918007904436227"}],"_tidb":{"commitTs":429918007904436226}}';
  const v = parseJsonExactKeys(text, ['commitTs']) as { _tidb: { commitTs: string }; sqlType: { commitTs: number } };
  assert.equal(v._tidb.commitTs, '429918007904436226');
  assert.equal(v.sqlType.commitTs, 12);
});
