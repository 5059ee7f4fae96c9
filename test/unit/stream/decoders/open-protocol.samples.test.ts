// Open protocol decoder against the binary samples (.key.bin/.value.bin) and the docs' event log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createDecoder } from '../../../../src/stream/decoders/index.js';
import { ALL, col, message, sample, SAMPLES, schemas, table } from './sample-schemas.js';

const open = (list = ALL) => createDecoder('open-protocol', { tableSchema: schemas(...list), timeZoneOffsetMinutes: 0 });
const binary = (name: string) => message(sample(`${name}.value.bin`), sample(`${name}.key.bin`));
const decodeFailed = (re: RegExp) => (e: unknown) => (e as { code?: string }).code === 'DECODE_FAILED' && re.test((e as Error).message);

/** Frames key/value JSON texts the way TiCDC does: version header, then length-prefixed entries. */
function frame(events: readonly { key: string; value: string | null }[]): { key: Buffer; value: Buffer } {
  const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };
  const entry = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
  return {
    key: Buffer.concat([u64(1), ...events.map((e) => entry(e.key))]),
    value: Buffer.concat(events.map((e) => entry(e.value ?? ''))),
  };
}

test('a batch of two inserts in one message', () => {
  const row = (id: number, val: string) => ({ kind: 'row', op: 'insert', db: 'test', table: 't1', commitTs: 449930145454456834n, before: null, after: { id, val } });
  assert.deepEqual(open().decode(binary('open-protocol-insert-batch')), [row(1, 'aa'), row(2, 'bb')]);
});

test('update with pre-columns, delete, DDL, resolved', () => {
  assert.deepEqual(open().decode(binary('open-protocol-update')), [
    { kind: 'row', op: 'update', db: 'test', table: 't1', commitTs: 449930145454456839n, before: { id: 2, val: 'bb' }, after: { id: 2, val: 'cc' } },
  ]);
  assert.deepEqual(open().decode(binary('open-protocol-delete')), [
    { kind: 'row', op: 'delete', db: 'test', table: 't1', commitTs: 449930145454456843n, before: { id: 1, val: 'aa' }, after: null },
  ]);
  assert.deepEqual(open().decode(binary('open-protocol-ddl')), [
    { kind: 'ddl', db: 'test', table: 't1', commitTs: 449930145454456854n, query: 'ALTER TABLE `test`.`t1` ADD COLUMN `c` INT', ddlType: 'ALTER TABLE' },
  ]);
  assert.deepEqual(open().decode(binary('open-protocol-resolved')), [{ kind: 'resolved', commitTs: 449930145454456864n }]);
});

test('the docs event log (old TiCDC: base64 VARCHAR, no flags), every line', () => {
  const lines = readFileSync(`${SAMPLES}/open-protocol-docs-log.txt`, 'utf8').split('\n').filter((l) => /^\d+\. /.test(l));
  assert.equal(lines.length, 14);
  const items = lines.map((line) => {
    const m = /\[key="(.*)"\] \[value=(?:"(.*)")?\]$/.exec(line);
    assert.ok(m, line);
    const unescape = (s: string) => JSON.parse(`"${s}"`) as string;
    const f = frame([{ key: unescape(m[1]!), value: m[2] === undefined ? null : unescape(m[2]) }]);
    return open().decode(message(f.value, f.key));
  });
  assert.deepEqual(items[0], [{ kind: 'ddl', db: 'test', table: 't1', commitTs: 415508856908021766n, query: 'CREATE TABLE test.t1(id int primary key, val varchar(16))', ddlType: 'CREATE TABLE' }]);
  assert.deepEqual(items[1], [{ kind: 'resolved', commitTs: 415508856908021766n }]);
  assert.deepEqual(items[4], [{ kind: 'row', op: 'insert', db: 'test', table: 't1', commitTs: 415508878783938562n, before: null, after: { id: 1, val: 'aa' } }]);
  assert.deepEqual(items[7], items[6], 'line 8 is a duplicate of line 7');
  assert.deepEqual(items[8], [{ kind: 'row', op: 'delete', db: 'test', table: 't1', commitTs: 415508881418485761n, before: { id: 1 }, after: null }]);
  assert.deepEqual(items[11], [{ kind: 'row', op: 'insert', db: 'test', table: 't1', commitTs: 415508881418485761n, before: null, after: { id: 4, val: 'ee' } }]);
  assert.deepEqual(items[13], [{ kind: 'resolved', commitTs: 415508881038376963n }]);
});

test('type codes and flags: unsigned 64-bit, decimal, enum index, set bitmask, bit, Go-quoted varbinary, base64 blob/text, NULL', () => {
  const ITEM2 = table('shop', 'item', [
    col('id', 'integer', 'bigint unsigned'), col('price', 'decimal', 'decimal(40,30)'), col('st', 'string', "enum('a','b')", ['a', 'b']),
    col('tags', 'string', "set('x','y','z')", ['x', 'y', 'z']), col('flags', 'integer', 'bit(64)'), col('bin', 'binary', 'varbinary(8)'),
    col('blob_c', 'binary', 'blob'), col('body', 'string', 'text'), col('ts', 'datetime', 'timestamp(6)'), col('f', 'float', 'double'),
    col('note', 'string', 'varchar(8)'), col('t', 'time', 'time'),
  ]);
  const value = '{"u":{"id":{"t":8,"h":true,"f":139,"v":18446744073709551615},"price":{"t":246,"f":65,"v":"1234567890.123456789012345678901234567890"},' +
    '"st":{"t":247,"f":64,"v":2},"tags":{"t":248,"f":64,"v":6},"flags":{"t":16,"f":193,"v":9007199254740993},' +
    '"bin":{"t":15,"f":65,"v":"\\\\x00\\\\xffA\\\\n"},"blob_c":{"t":252,"f":65,"v":"AP8="},"body":{"t":252,"f":64,"v":"5Lit5paH"},' +
    '"ts":{"t":7,"f":64,"v":"2024-05-01 12:00:00.000001"},"f":{"t":5,"f":64,"v":0.1},"note":{"t":15,"f":64,"v":null},"t":{"t":11,"f":64,"v":"-01:02:03"}}}';
  const f = frame([{ key: '{"ts":449930145454456835,"scm":"shop","tbl":"item","t":1}', value }]);
  const [item] = open([ITEM2]).decode(message(f.value, f.key));
  assert.deepEqual(item, {
    kind: 'row', op: 'insert', db: 'shop', table: 'item', commitTs: 449930145454456835n, before: null,
    after: {
      id: 18446744073709551615n, price: '1234567890.123456789012345678901234567890', st: 'b', tags: 'y,z', flags: 9007199254740993n,
      bin: Buffer.from([0, 0xff, 0x41, 0x0a]).toString('base64'), blob_c: 'AP8=', body: '中文', ts: '2024-05-01T12:00:00.000001Z',
      f: 0.1, note: null, t: '-01:02:03',
    },
  });
});

test('ignored tables are skipped without parsing their values; claim-check and handle-key-only rows are reported', () => {
  const f = frame([{ key: '{"ts":5,"scm":"other","tbl":"x","t":1}', value: 'not json at all' }]);
  assert.deepEqual(open().decode(message(f.value, f.key)), [{ kind: 'ignored', reason: 'table other.x is not indexed' }]);
  const cc = frame([{ key: '{"ts":5,"scm":"test","tbl":"t1","t":1,"ccl":"s3://b/x.json"}', value: '{}' }]);
  assert.throws(() => open().decode(message(cc.value, cc.key)), decodeFailed(/claim-check.*s3:\/\/b\/x\.json/));
  const hk = frame([{ key: '{"ts":5,"scm":"test","tbl":"t1","t":1,"ohk":true}', value: '{"u":{"id":{"t":3,"f":11,"v":1}}}' }]);
  assert.throws(() => open().decode(message(hk.value, hk.key)), decodeFailed(/handle-key-only insert/));
  const hkDel = frame([{ key: '{"ts":5,"scm":"test","tbl":"t1","t":1,"ohk":true}', value: '{"d":{"id":{"t":3,"f":11,"v":1}}}' }]);
  assert.deepEqual(open().decode(message(hkDel.value, hkDel.key)), [{ kind: 'row', op: 'delete', db: 'test', table: 't1', commitTs: 5n, before: { id: 1 }, after: null }]);
});

test('malformed framing → DECODE_FAILED', () => {
  const good = sample('open-protocol-insert-batch.key.bin');
  const value = sample('open-protocol-insert-batch.value.bin');
  assert.throws(() => open().decode(message(value, null)), decodeFailed(/key is missing/));
  const v2 = Buffer.from(good); v2.writeBigUInt64BE(2n, 0);
  assert.throws(() => open().decode(message(value, v2)), decodeFailed(/batch version 2/));
  assert.throws(() => open().decode(message(value, good.subarray(0, good.length - 5))), decodeFailed(/claims \d+ bytes/));
  assert.throws(() => open().decode(message(value.subarray(0, 80), good)), decodeFailed(/value/));
  const bad = frame([{ key: '{"ts":5,"scm":"test","tbl":"t1","t":1}', value: '{"u":{"id":{"t":3,"f":11,"v":"x1"}}}' }]);
  assert.throws(() => open().decode(message(bad.value, bad.key)), decodeFailed(/column id of test\.t1/));
  const enumOut = frame([{ key: '{"ts":5,"scm":"shop","tbl":"item","t":1}', value: '{"u":{"st":{"t":247,"f":64,"v":9}}}' }]);
  assert.throws(() => open().decode(message(enumOut.value, enumOut.key)), decodeFailed(/ENUM index 9/));
});
