// Table schemas of the tables in ../shared/data/ticdc-samples, and a RawMessage builder for tests.
import { readFileSync } from 'node:fs';
import { ticdcSamplesDir } from '../../../support/repo-root.js';
import type { RawMessage } from '../../../../src/core/change.js';
import type { ColumnSchema, TableSchema } from '../../../../src/core/schema.js';
import type { FieldKind } from '../../../../src/core/value.js';

export const SAMPLES = ticdcSamplesDir;

export function col(name: string, kind: FieldKind, sqlType: string, members?: readonly string[]): ColumnSchema {
  return members ? { name, kind, sqlType, nullable: true, members } : { name, kind, sqlType, nullable: true };
}

export function table(db: string, name: string, columns: readonly ColumnSchema[], key = ['id']): TableSchema {
  return { db, table: name, columns, key, keyKind: 'primary' };
}

export const TP_INT = table('test', 'tp_int', [
  col('id', 'integer', 'int'), col('c_bigint', 'integer', 'bigint'), col('c_int', 'integer', 'int'),
  col('c_mediumint', 'integer', 'mediumint'), col('c_smallint', 'integer', 'smallint'), col('c_tinyint', 'integer', 'tinyint'),
]);
export const EMPLOYEE = table('test', 'employee', [
  col('id', 'integer', 'int'), col('FirstName', 'string', 'varchar(255)'), col('LastName', 'string', 'varchar(255)'),
  col('HireDate', 'datetime', 'date'), col('OfficeLocation', 'string', 'varchar(255)'),
]);
export const ITEM = table('shop', 'item', [
  col('id', 'integer', 'bigint unsigned'), col('name', 'string', 'varchar(64)'), col('price', 'decimal', 'decimal(10,2)'),
  col('ts3', 'datetime', 'timestamp(3)'), col('dt', 'datetime', 'datetime'), col('doc', 'string', 'json'),
  col('st', 'string', "enum('a','b','c')", ['a', 'b', 'c']), col('tags', 'string', "set('x','y','z')", ['x', 'y', 'z']),
  col('flags', 'integer', 'bit(8)'), col('bin', 'binary', 'varbinary(16)'), col('body', 'string', 'text'),
  col('blob_c', 'binary', 'blob'), col('note', 'string', 'varchar(16)'),
]);
export const T1 = table('test', 't1', [col('id', 'integer', 'int'), col('val', 'string', 'varchar(16)')]);
export const USER = table('simple', 'user', [
  col('id', 'integer', 'int'), col('name', 'string', 'varchar(255)'), col('age', 'integer', 'int'), col('score', 'float', 'float'),
]);

export const ALL = [TP_INT, EMPLOYEE, ITEM, T1, USER];

export function schemas(...list: readonly TableSchema[]): (db: string, t: string) => TableSchema | undefined {
  return (db, t) => list.find((s) => s.db === db && s.table === t);
}

export function message(value: Buffer | string | null, key: Buffer | string | null = null, offset = 0): RawMessage {
  const buf = (v: Buffer | string | null): Buffer | null => (v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
  return { topic: 't', partition: 0, offset: String(offset), key: buf(key), value: buf(value), timestampMs: 0 };
}

export function sample(name: string): Buffer {
  return readFileSync(`${SAMPLES}/${name}`);
}
