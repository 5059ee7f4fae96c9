import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { planRanges } from '../../../../src/source/mysql/key-ranges.js';

/** Evaluates a planned WHERE on one key value, as the server would. */
function inRange(where: string, k: bigint): boolean {
  return where.split(' AND ').every((cond) => {
    const m = /^`id` (>=|<|<=) (-?\d+)$/.exec(cond);
    assert.ok(m, cond);
    const bound = BigInt(m[2]!);
    return m[1] === '>=' ? k >= bound : m[1] === '<' ? k < bound : k <= bound;
  });
}

test('ranges cover every key between min and max exactly once', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 10n }), fc.bigInt({ min: 0n, max: 10_000n }), fc.integer({ min: 1, max: 50 }), (min, width, count) => {
      const max = min + width;
      const ranges = planRanges('id', min, max, count);
      assert.ok(ranges.length >= 1 && ranges.length <= count);
      const probes = [min, max, min + width / 2n, min + width / 3n, max - 1n < min ? min : max - 1n];
      for (const k of probes) assert.equal(ranges.filter((r) => inRange(r.where, k)).length, 1, `key ${k}`);
      assert.equal(ranges.filter((r) => inRange(r.where, max + 1n)).length, 0);
      assert.equal(ranges.filter((r) => inRange(r.where, min - 1n)).length, 0);
    }),
  );
});

test('bounds beyond 2^53 are exact integer literals, never rounded', () => {
  const ranges = planRanges('id', 18446744073709551600n, 18446744073709551615n, 2);
  assert.deepEqual(
    ranges.map((r) => r.where),
    ['`id` >= 18446744073709551600 AND `id` < 18446744073709551608', '`id` >= 18446744073709551608 AND `id` <= 18446744073709551615'],
  );
});
