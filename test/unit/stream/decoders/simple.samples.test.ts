// Simple-protocol decoder against every simple-protocol sample.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecoder } from '../../../../src/stream/decoders/index.js';
import { ALL, col, message, sample, schemas, table } from './sample-schemas.js';

const simple = (list = ALL) => createDecoder('simple', { tableSchema: schemas(...list), timeZoneOffsetMinutes: 0 });
const decodeFailed = (re: RegExp) => (e: unknown) => (e as { code?: string }).code === 'DECODE_FAILED' && re.test((e as Error).message);
const base = { kind: 'row', db: 'simple', table: 'user' } as const;

test('INSERT / UPDATE / DELETE', () => {
  assert.deepEqual(simple().decode(message(sample('simple-insert.json'))), [
    { ...base, op: 'insert', commitTs: 447984084414103554n, before: null, after: { age: 25, id: 1, name: 'John Doe', score: 90.5 } },
  ]);
  assert.deepEqual(simple().decode(message(sample('simple-update.json'))), [
    { ...base, op: 'update', commitTs: 447984099186180098n, before: { age: 25, id: 1, name: 'John Doe', score: 90.5 }, after: { age: 25, id: 1, name: 'John Doe', score: 95 } },
  ]);
  assert.deepEqual(simple().decode(message(sample('simple-delete.json'))), [
    { ...base, op: 'delete', commitTs: 447984114259722243n, before: { age: 25, id: 1, name: 'John Doe', score: 95 }, after: null },
  ]);
});

test('DDL, WATERMARK → resolved, BOOTSTRAP → ignored', () => {
  assert.deepEqual(simple().decode(message(sample('simple-ddl.json'))), [
    { kind: 'ddl', db: 'simple', table: 'user', commitTs: 447987408682614795n, query: 'ALTER TABLE `user` ADD COLUMN `createTime` TIMESTAMP', ddlType: 'ALTER TABLE' },
  ]);
  assert.deepEqual(simple().decode(message(sample('simple-watermark.json'))), [{ kind: 'resolved', commitTs: 447984124732375041n }]);
  assert.deepEqual(simple().decode(message(sample('simple-bootstrap.json'))), [{ kind: 'ignored', reason: 'bootstrap message for simple.new_user' }]);
});

test('TIMESTAMP {location,value} in the configured zone, base64 binary, ENUM/SET numbers', () => {
  const T = table('simple', 'typed', [col('id', 'integer', 'int'), col('ts', 'datetime', 'timestamp'), col('b', 'binary', 'varbinary(4)'), col('e', 'string', "enum('p','q')", ['p', 'q']), col('s', 'string', "set('p','q')", ['p', 'q'])]);
  const d = createDecoder('simple', { tableSchema: schemas(T), timeZoneOffsetMinutes: -300 });
  const text = '{"version":1,"database":"simple","table":"typed","type":"INSERT","commitTs":447984084414103555,"buildTs":1,"data":{"id":"7","ts":{"location":"America/New_York","value":"2024-01-01 00:00:00"},"b":"AP8=","e":"1","s":"3"}}';
  assert.deepEqual(d.decode(message(text))[0], {
    kind: 'row', op: 'insert', db: 'simple', table: 'typed', commitTs: 447984084414103555n, before: null,
    after: { id: 7, ts: '2024-01-01T05:00:00Z', b: 'AP8=', e: 'p', s: 'p,q' },
  });
});

test('other tables ignored; malformed messages and claim-check → DECODE_FAILED', () => {
  assert.deepEqual(simple([]).decode(message(sample('simple-insert.json'))), [{ kind: 'ignored', reason: 'table simple.user is not indexed' }]);
  assert.throws(() => simple().decode(message('{"version":1,"type":"INSERT","database":"simple","table":"user","commitTs":1}')), decodeFailed(/no "data"/));
  assert.throws(() => simple().decode(message('{"version":1,"type":"FOO","commitTs":1}')), decodeFailed(/unknown message type/));
  assert.throws(() => simple().decode(message('{"version":1,"type":"WATERMARK"}')), decodeFailed(/no commitTs/));
  assert.throws(() => simple().decode(message(Buffer.from([0x01, 0x02]))), decodeFailed(/not JSON/));
  assert.throws(() => simple().decode(message('{"version":1,"type":"INSERT","database":"simple","table":"user","commitTs":1,"claimCheckLocation":"file:///x"}')), decodeFailed(/claim-check/));
});
