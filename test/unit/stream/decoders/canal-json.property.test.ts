// Property: any row change encoded by the canal-json test encoder decodes back to the same canonical
// values (64-bit ints, 30-digit decimals, CJK and escape-heavy text, bytes, dates in any offset, NULLs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { StreamItem } from '../../../../src/core/change.js';
import { datetimeFromText, integerFromText, type IndexValue } from '../../../../src/core/value.js';
import { createDecoder, encodeCanalJson, parseJsonLossless } from '../../../../src/stream/decoders/index.js';
import { col, message, table } from './sample-schemas.js';

const T = table('prop', 'row', [
  col('id', 'integer', 'bigint'), col('u', 'integer', 'bigint unsigned'), col('dec', 'decimal', 'decimal(65,30)'),
  col('txt', 'string', 'text'), col('e', 'string', "enum('红','green','b,c')", ['红', 'green', 'b c']),
  col('s', 'string', "set('a','红','c')", ['a', '红', 'c']), col('bin', 'binary', 'varbinary(64)'),
  col('dt', 'datetime', 'datetime(6)'), col('d', 'datetime', 'date'), col('f', 'float', 'double'), col('tm', 'time', 'time(3)'),
]);

const text = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('"', '\\', '\n', '\u0000', 'é', '😀', '\u2028'),
  ),
  maxLength: 40,
});
const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const day = fc.date({ min: new Date('1000-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true });

function rowArb(offset: number): fc.Arbitrary<Record<string, IndexValue>> {
  const nullable = <T extends IndexValue>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 5 });
  return fc.record({
    id: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => integerFromText(b.toString()) as IndexValue),
    u: nullable(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((b) => integerFromText(b.toString()))),
    dec: nullable(fc.tuple(fc.boolean(), digits(1, 35), digits(30, 30)).map(([neg, i, f]) => `${neg ? '-' : ''}${i}.${f}`)),
    txt: nullable(text),
    e: nullable(fc.constantFrom('红', 'green', 'b c', '')),
    s: nullable(fc.subarray(['a', '红', 'c']).map((xs) => xs.join(','))),
    bin: nullable(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'))),
    dt: nullable(fc.tuple(day, fc.option(digits(1, 6), { nil: undefined })).map(([d, frac]) => `${d.toISOString().slice(0, 19)}${frac ? `.${frac}` : ''}Z`)),
    d: nullable(day.map((d) => datetimeFromText(`${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`, offset)!)),
    f: nullable(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x))),
    tm: nullable(fc.tuple(fc.integer({ min: -838, max: 838 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([h, m, s]) => `${h < 0 ? '-' : ''}${pad(Math.abs(h), 2)}:${pad(m, 2)}:${pad(s, 2)}.123`)),
  });
}

const tsoArb = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
const offsetArb = fc.constantFrom(0, 480, -300, 345);

test('canal-json encode → decode returns the same row change', () => {
  fc.assert(
    fc.property(offsetArb, fc.constantFrom('insert', 'update', 'delete'), fc.boolean(), tsoArb, fc.gen(), (offset, op, onlyChanged, commitTs, gen) => {
      const before = { ...gen(rowArb, offset) };
      const after = { ...gen(rowArb, offset), id: onlyChanged ? before.id! : gen(rowArb, offset).id! };
      const event: StreamItem = op === 'insert'
        ? { kind: 'row', op, db: 'prop', table: 'row', commitTs, before: null, after }
        : op === 'delete'
          ? { kind: 'row', op, db: 'prop', table: 'row', commitTs, before, after: null }
          : { kind: 'row', op, db: 'prop', table: 'row', commitTs, before, after };
      const json = encodeCanalJson(event, T, { timeZoneOffsetMinutes: offset, oldOnlyChanged: onlyChanged });
      const decoder = createDecoder('auto', { tableSchema: (db, t) => (db === 'prop' && t === 'row' ? T : undefined), timeZoneOffsetMinutes: offset });
      assert.deepEqual(decoder.decode(message(json)), [event]);
    }),
    { numRuns: 300 },
  );
});

test('watermarks and DDL round-trip with exact TSOs', () => {
  fc.assert(
    fc.property(tsoArb, text, (ts, query) => {
      const d = createDecoder('canal-json', { tableSchema: () => undefined, timeZoneOffsetMinutes: 0 });
      assert.deepEqual(d.decode(message(encodeCanalJson({ kind: 'resolved', commitTs: ts }, T))), [{ kind: 'resolved', commitTs: ts }]);
      const ddl = { kind: 'ddl', db: 'prop', table: 'row', commitTs: ts, query: `ALTER TABLE row ${query}`, ddlType: 'ALTER TABLE' } as const;
      assert.deepEqual(d.decode(message(encodeCanalJson(ddl, T))), [ddl]);
    }),
  );
});

test('lossless JSON: every integer token comes back with all its digits, strings untouched', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(text, fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }))), (pairs) => {
      const json = `{${pairs.map(([k, v], i) => `${JSON.stringify(`${i}${k}`)}:[${v},${JSON.stringify(`${v}`)}]`).join(',')}}`;
      const parsed = parseJsonLossless(json) as Record<string, [number | string, string]>;
      pairs.forEach(([k, v], i) => {
        const [n, s] = parsed[`${i}${k}`]!;
        assert.equal(BigInt(n), v);
        assert.equal(s, `${v}`);
      });
    }),
  );
});
