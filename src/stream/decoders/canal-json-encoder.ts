// A test producer's encoder: canonical change events → canal-json as TiCDC writes it with
// enable-tidb-extension=true (text values, ENUM index, SET bitmask, binary as ISO-8859-1, `_tidb.commitTs`
// as a bare 64-bit number). Used by tests and benchmarks to feed real row changes through Kafka.
import type { StreamItem } from '../../core/change.js';
import type { ColumnSchema, TableSchema } from '../../core/schema.js';
import type { Tso } from '../../core/tso.js';
import type { IndexValue, RowImage } from '../../core/value.js';
import { enumToIndex, isEnumColumn, isSetColumn, setToBitmask } from './column-values.js';

export type EncodableEvent = Extract<StreamItem, { kind: 'row' | 'ddl' | 'resolved' }>;

export interface CanalEncodeOptions {
  /** Offset (minutes east of UTC) the datetime texts are written in; the decoder must use the same. Default 0. */
  readonly timeZoneOffsetMinutes?: number;
  /** Put only the changed columns in an UPDATE's `old` (as Canal does) instead of the whole before image. */
  readonly oldOnlyChanged?: boolean;
}

const JDBC_TYPES: Readonly<Record<string, number>> = {
  tinyint: -6, smallint: 5, mediumint: 4, int: 4, integer: 4, bigint: -5, year: 12, bit: -7,
  float: 7, double: 8, decimal: 3, numeric: 3, date: 91, datetime: 93, timestamp: 93, time: 92,
  char: 1, varchar: 12, tinytext: 2005, text: 2005, mediumtext: 2005, longtext: 2005, json: 12,
  binary: 2004, varbinary: 2004, tinyblob: 2004, blob: 2004, mediumblob: 2004, longblob: 2004, enum: 4, set: -7,
};

/** One canal-json message (JSON text) for a row change, DDL, or (resolved) a TIDB_WATERMARK. */
export function encodeCanalJson(event: EncodableEvent, schema: TableSchema, o: CanalEncodeOptions = {}): string {
  if (event.kind === 'resolved') return encodeCanalJsonWatermark(event.commitTs);
  const es = Number(event.commitTs >> 18n);
  if (event.kind === 'ddl') {
    const body = { id: 0, database: event.db, table: event.table, pkNames: null, isDdl: true, type: 'QUERY', es, ts: es, sql: event.query, sqlType: null, mysqlType: null, data: null, old: null };
    return withTidb(body, 'commitTs', event.commitTs);
  }
  const offset = o.timeZoneOffsetMinutes ?? 0;
  const text = (image: RowImage, only?: ReadonlySet<string>): Record<string, string | null> => {
    const out: Record<string, string | null> = {};
    for (const c of schema.columns) {
      if (!(c.name in image) || (only && !only.has(c.name))) continue;
      out[c.name] = canalText(c, image[c.name] ?? null, offset);
    }
    return out;
  };
  const type = event.op.toUpperCase();
  const main = event.op === 'delete' ? event.before : event.after;
  if (!main) throw new TypeError(`${event.op} event needs ${event.op === 'delete' ? 'before' : 'after'}`);
  let old: Record<string, string | null>[] | null = null;
  if (event.op === 'update' && event.before) {
    const before = event.before;
    const changed = o.oldOnlyChanged ? new Set(Object.keys(before).filter((k) => before[k] !== main[k])) : undefined;
    old = [text(before, changed)];
  }
  const body = {
    id: 0, database: event.db, table: event.table, pkNames: [...schema.key], isDdl: false, type, es, ts: es, sql: '',
    sqlType: Object.fromEntries(schema.columns.map((c) => [c.name, JDBC_TYPES[baseType(c)] ?? 12])),
    mysqlType: Object.fromEntries(schema.columns.map((c) => [c.name, mysqlTypeName(c)])),
    data: [text(main)], old,
  };
  return withTidb(body, 'commitTs', event.commitTs);
}

export function encodeCanalJsonWatermark(watermarkTs: Tso): string {
  const es = Number(watermarkTs >> 18n);
  const body = { id: 0, database: '', table: '', pkNames: null, isDdl: false, type: 'TIDB_WATERMARK', es, ts: es, sql: '', sqlType: null, mysqlType: null, data: null, old: null };
  return withTidb(body, 'watermarkTs', watermarkTs);
}

/** Appends `_tidb` with the TSO as a bare number, as TiCDC does (JSON.stringify cannot write a bigint). */
function withTidb(body: object, field: string, ts: Tso): string {
  const json = JSON.stringify(body);
  return `${json.slice(0, -1)},"_tidb":{"${field}":${ts.toString()}}}`;
}

function canalText(c: ColumnSchema, v: IndexValue, offsetMinutes: number): string | null {
  if (v === null) return null;
  if (isEnumColumn(c)) return enumToIndex(c, String(v));
  if (isSetColumn(c)) return setToBitmask(c, String(v));
  switch (c.kind) {
    case 'binary':
      return Buffer.from(String(v), 'base64').toString('latin1');
    case 'datetime':
      return datetimeText(String(v), offsetMinutes, baseType(c) === 'date');
    default:
      return String(v);
  }
}

/** ISO-8601 UTC (`YYYY-MM-DDTHH:mm:ss[.f]Z`) → MySQL text in the given offset, keeping every fraction digit. */
function datetimeText(iso: string, offsetMinutes: number, dateOnly: boolean): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/.exec(iso);
  if (!m) throw new TypeError(`not a canonical datetime: ${JSON.stringify(iso)}`);
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + offsetMinutes * 60_000;
  const local = new Date(ms).toISOString();
  return dateOnly ? local.slice(0, 10) : `${local.slice(0, 10)} ${local.slice(11, 19)}${m[7] ?? ''}`;
}

function baseType(c: ColumnSchema): string {
  return /^\s*([a-z]+)/i.exec(c.sqlType)?.[1]?.toLowerCase() ?? '';
}

function mysqlTypeName(c: ColumnSchema): string {
  return /\bunsigned\b/i.test(c.sqlType) ? `${baseType(c)} unsigned` : baseType(c);
}
