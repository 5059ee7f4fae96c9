// canal-json decoder against every canal-json sample in ticdc-samples (see SOURCES.md for provenance).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecoder } from '../../../../src/stream/decoders/index.js';
import { ALL, EMPLOYEE, message, sample, schemas } from './sample-schemas.js';

const canal = (offset = 0, list = ALL) => createDecoder('canal-json', { tableSchema: schemas(...list), timeZoneOffsetMinutes: offset });
const decodeFailed = (re: RegExp) => (e: unknown) => (e as { code?: string }).code === 'DECODE_FAILED' && re.test((e as Error).message);

test('INSERT keeps the 64-bit commitTs and BIGINT max exactly (both would round as doubles)', () => {
  const [item] = canal().decode(message(sample('canal-json-insert.json')));
  assert.equal(BigInt(Number('429918007904436226')) === 429918007904436226n, false, 'precondition: the TSO is not a double');
  assert.deepEqual(item, {
    kind: 'row', op: 'insert', db: 'test', table: 'tp_int', commitTs: 429918007904436226n, before: null,
    after: { c_bigint: 9223372036854775807n, c_int: 2147483647, c_mediumint: 8388607, c_smallint: 32767, c_tinyint: 127, id: 2 },
  });
});

test('a TSO whose low digits a double would lose is parsed exactly', () => {
  const tso = 449930145454456833n; // odd: the nearest double is even
  assert.notEqual(BigInt(Number(tso.toString())), tso);
  const text = sample('canal-json-insert.json').toString().replace('429918007904436226', tso.toString());
  const [item] = canal().decode(message(text));
  assert.equal(item?.kind === 'row' && item.commitTs, tso);
});

test('DDL: db, empty table, query, statement kind, commitTs', () => {
  assert.deepEqual(canal().decode(message(sample('canal-json-ddl.json'))), [
    { kind: 'ddl', db: 'test', table: '', commitTs: 429918007904436226n, query: 'drop database if exists test', ddlType: 'DROP DATABASE' },
  ]);
});

test('TIDB_WATERMARK → resolved at _tidb.watermarkTs', () => {
  assert.deepEqual(canal().decode(message(sample('canal-json-watermark.json'))), [{ kind: 'resolved', commitTs: 429918007904436226n }]);
});

test('UPDATE with every type encoding: ENUM index, SET bitmask, BIT, latin-1 binary, TIMESTAMP(3) in +08:00, NULL', () => {
  const [item] = canal(480).decode(message(sample('canal-json-update-types-constructed.json')));
  assert.ok(item?.kind === 'row' && item.op === 'update');
  const common = {
    id: 42, name: 'café', ts3: '2024-05-01T04:00:00.123Z', dt: '2024-05-01T04:00:00Z', doc: '{"k": [1, 2]}',
    tags: 'x,z', flags: 129, bin: Buffer.from([0, 0xff, 0x41]).toString('base64'), body: 'hello',
    blob_c: Buffer.from('hi').toString('base64'), note: null,
  };
  assert.equal(item.commitTs, 449930145454456834n);
  assert.deepEqual(item.after, { ...common, price: '19.90', st: 'b' });
  assert.deepEqual(item.before, { ...common, price: '17.50', st: 'a' });
});

test('samples without the TiDB extension are rejected with the setting to change', () => {
  for (const name of ['canal-json-insert-employee.json', 'canal-json-update-employee.json', 'canal-json-delete-employee.json']) {
    assert.throws(() => canal().decode(message(sample(name))), decodeFailed(/enable-tidb-extension=true/), name);
  }
});

test('employee UPDATE/DELETE with _tidb: DATE in the configured zone, before image from old', () => {
  const withTs = (name: string) => sample(name).toString().trimEnd().replace(/}$/, ',"_tidb":{"commitTs":449930145454456835}}');
  const [upd] = canal(480).decode(message(withTs('canal-json-update-employee.json')));
  assert.deepEqual(upd, {
    kind: 'row', op: 'update', db: 'test', table: 'employee', commitTs: 449930145454456835n,
    before: { FirstName: 'Bob', HireDate: '2014-06-03T16:00:00Z', LastName: 'Smith', OfficeLocation: 'New York', id: 101 },
    after: { FirstName: 'Bob', HireDate: '2015-10-07T16:00:00Z', LastName: 'Smith', OfficeLocation: 'Los Angeles', id: 101 },
  });
  const [del] = canal().decode(message(withTs('canal-json-delete-employee.json')));
  assert.deepEqual(del, {
    kind: 'row', op: 'delete', db: 'test', table: 'employee', commitTs: 449930145454456835n, after: null,
    before: { FirstName: 'Bob', HireDate: '2015-10-08T00:00:00Z', LastName: 'Smith', OfficeLocation: 'Los Angeles', id: 101 },
  });
});

test('old with only the changed columns: the before image combines data and old (key change visible)', () => {
  const text = JSON.stringify({ database: 'test', table: 'employee', isDdl: false, type: 'UPDATE', data: [{ id: '102', FirstName: 'Bob' }], old: [{ id: '101' }] }).replace(/}$/, ',"_tidb":{"commitTs":5}}');
  const [item] = canal().decode(message(text));
  assert.ok(item?.kind === 'row');
  assert.deepEqual(item.before, { id: 101, FirstName: 'Bob' });
  assert.deepEqual(item.after, { id: 102, FirstName: 'Bob' });
});

test('handle-key-only: INSERT cannot be decoded (row is upstream only); a DELETE can, with the key', () => {
  const text = sample('canal-json-handle-key-only.json').toString();
  assert.throws(() => canal().decode(message(text)), decodeFailed(/handle-key-only insert of test\.tp_int/));
  const [del] = canal().decode(message(text.replace('"INSERT"', '"DELETE"')));
  assert.deepEqual(del, { kind: 'row', op: 'delete', db: 'test', table: 'tp_int', commitTs: 163963314122145239n, before: { id: 2 }, after: null });
});

test('claim-check pointer → DECODE_FAILED naming the location', () => {
  assert.throws(() => canal().decode(message(sample('canal-json-claim-check.json'))), decodeFailed(/claim-check.*s3:\/claim-check-bucket/));
});

test('rows of tables the index does not follow are ignored without converting their values', () => {
  const bad = sample('canal-json-insert.json').toString().replace('"127"', '"not a number"');
  assert.deepEqual(canal(0, [EMPLOYEE]).decode(message(bad)), [{ kind: 'ignored', reason: 'table test.tp_int is not indexed' }]);
  assert.throws(() => canal().decode(message(bad)), decodeFailed(/column c_tinyint of test\.tp_int/));
});

test('malformed messages → DECODE_FAILED', () => {
  assert.throws(() => canal().decode(message('{"database":')), decodeFailed(/not JSON/));
  assert.throws(() => canal().decode(message(null)), decodeFailed(/no value/));
  assert.throws(() => canal().decode(message('[1,2]')), decodeFailed(/not a JSON object/));
  assert.throws(() => canal().decode(message('{"database":"test","table":"tp_int","type":"MERGE","_tidb":{"commitTs":1}}')), decodeFailed(/unknown message type/));
  assert.throws(() => canal().decode(message('{"database":"test","table":"tp_int","type":"INSERT","data":[],"_tidb":{"commitTs":1}}')), decodeFailed(/no data rows/));
  assert.throws(() => canal().decode(message('{"database":"test","table":"tp_int","type":"INSERT","data":[{"id":"1"}],"_tidb":{"commitTs":-4}}')), decodeFailed(/commitTs/));
});
