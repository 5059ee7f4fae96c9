// Canonical values: exact decimals and 64-bit integers, dates in UTC whatever the source offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { datetimeFromText, decimalFromText, integerFromText, parseUtcOffset, valueFromText } from '../../../src/core/value.js';
import { parseTso, tsoFromMillis, tsoToMillis } from '../../../src/core/tso.js';
import { docKeyOf } from '../../../src/core/doc-key.js';

test('integers stay exact: numbers when safe, bigint beyond 2^53', () => {
  assert.equal(integerFromText('42'), 42);
  assert.equal(integerFromText('-9007199254740991'), -9007199254740991);
  assert.equal(integerFromText('9007199254740993'), 9007199254740993n);
  assert.equal(integerFromText('18446744073709551615'), 18446744073709551615n);
  fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), (n) => BigInt(integerFromText(n.toString())) === n));
});

test('decimals keep every digit', () => {
  assert.equal(decimalFromText('12345678901234567890.1234567890'), '12345678901234567890.1234567890');
  assert.equal(decimalFromText('+0.10'), '0.10');
  assert.throws(() => decimalFromText('12a'), /not a decimal/);
});

test('DATETIME text in a +08:00 source becomes UTC; zero dates become null; years below 100 stay', () => {
  assert.equal(datetimeFromText('2020-11-11 12:00:00', parseUtcOffset('+08:00')), '2020-11-11T04:00:00Z');
  assert.equal(datetimeFromText('2020-01-01 03:00:00.123456', parseUtcOffset('+08:00')), '2019-12-31T19:00:00.123456Z');
  assert.equal(datetimeFromText('1986-06-26'), '1986-06-26T00:00:00Z');
  assert.equal(datetimeFromText('0000-00-00 00:00:00'), null);
  assert.equal(datetimeFromText('0001-01-01 00:00:00'), '0001-01-01T00:00:00Z');
  assert.equal(datetimeFromText('0099-12-31'), '0099-12-31T00:00:00Z');
  assert.equal(datetimeFromText('9999-12-31 23:59:59'), '9999-12-31T23:59:59Z');
});

test('offsets parse, bad ones are refused', () => {
  assert.equal(parseUtcOffset('-05:30'), -330);
  assert.equal(parseUtcOffset('UTC'), 0);
  assert.throws(() => parseUtcOffset('Asia/Shanghai'), /offset like \+08:00/);
});

test('binary is carried as base64 of the latin-1 bytes', () => {
  assert.equal(valueFromText('binary', '\x00\xff'), 'AP8=');
  assert.equal(valueFromText('string', null), null);
});

test('TSOs never pass through a JS number', () => {
  const tso = 449930145454456833n;
  assert.equal(parseTso('449930145454456833'), tso);
  assert.equal(Number('449930145454456833').toString() === '449930145454456833', false, 'a double would lose it');
  assert.throws(() => parseTso(449930145454456833), /within 2\^53/);
  assert.throws(() => parseTso('-1'), /not a TSO/);
  assert.equal(tsoToMillis(tsoFromMillis(1_700_000_000_123, 5)), 1_700_000_000_123);
});

test('document keys: the value for one key column, an escaped join for several', () => {
  assert.equal(docKeyOf(['id'], { id: 9007199254740993n }), '9007199254740993');
  const a = docKeyOf(['a', 'b'], { a: 'x\u001fy', b: 'z' });
  const b = docKeyOf(['a', 'b'], { a: 'x', b: 'y\u001fz' });
  assert.notEqual(a, b);
  assert.throws(() => docKeyOf(['id'], { id: null }), /NULL/);
});
