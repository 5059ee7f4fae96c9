import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnTypeInfo, isSpatial, isUtcTemporal, parseMembers } from '../../../src/source/type-map.js';

test('column types map to field kinds', () => {
  const cases: [string, string, string][] = [
    ['tinyint', 'tinyint(1)', 'integer'],
    ['bigint', 'bigint(20) unsigned', 'integer'],
    ['year', 'year(4)', 'integer'],
    ['bit', 'bit(10)', 'integer'],
    ['decimal', 'decimal(30,10)', 'decimal'],
    ['float', 'float', 'float'],
    ['double', 'double', 'float'],
    ['date', 'date', 'datetime'],
    ['datetime', 'datetime(6)', 'datetime'],
    ['timestamp', 'timestamp', 'datetime'],
    ['time', 'time(3)', 'time'],
    ['varchar', 'varchar(20)', 'string'],
    ['longtext', 'longtext', 'string'],
    ['json', 'json', 'string'],
    ['set', "set('a','b')", 'string'],
    ['varbinary', 'varbinary(8)', 'binary'],
    ['blob', 'blob', 'binary'],
    ['point', 'point', 'string'],
    ['vector', 'vector(3)', 'binary'],
  ];
  for (const [dataType, columnType, kind] of cases) assert.equal(columnTypeInfo(dataType, columnType).kind, kind, columnType);
});

test('enum and set members are parsed in declaration order with their escapes', () => {
  assert.deepEqual(columnTypeInfo('enum', "enum('M','F')").members, ['M', 'F']);
  assert.deepEqual(parseMembers("enum('a','b''c','d\\\\e','x,y','')"), ['a', "b'c", 'd\\e', 'x,y', '']);
  assert.deepEqual(parseMembers("set('p)','q(')"), ['p)', 'q(']);
  assert.throws(() => parseMembers('enum(a)'), /bad enum/);
});

test('only TIMESTAMP is read as UTC, spatial types are read as WKT', () => {
  assert.equal(isUtcTemporal('timestamp(6)'), true);
  assert.equal(isUtcTemporal('datetime'), false);
  assert.equal(isSpatial('point'), true);
  assert.equal(isSpatial('geometry'), true);
  assert.equal(isSpatial('varchar(3)'), false);
});
