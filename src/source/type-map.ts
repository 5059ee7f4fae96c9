// MySQL/MariaDB/TiDB column types → the index's FieldKind, decided once from information_schema's
// DATA_TYPE and COLUMN_TYPE. The dump and every change decoder must agree on these choices.
import type { FieldKind } from '../core/value.js';

export interface ColumnTypeInfo {
  readonly kind: FieldKind;
  /** ENUM/SET members in declaration order. */
  readonly members?: readonly string[];
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year', 'bit', 'bool', 'boolean']);
const FLOAT_TYPES = new Set(['float', 'double', 'real', 'double precision']);
const DECIMAL_TYPES = new Set(['decimal', 'numeric', 'dec', 'fixed']);
const DATETIME_TYPES = new Set(['date', 'datetime', 'timestamp']);
const STRING_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'json', 'enum', 'set', 'uuid', 'inet4', 'inet6']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const SPATIAL_TYPES = new Set([
  'geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection',
]);

/**
 * Maps one column. `dataType` is information_schema.COLUMNS.DATA_TYPE (e.g. `bigint`), `columnType` its
 * COLUMN_TYPE (e.g. `bigint(20) unsigned`, `enum('a','b')`). Unknown types are kept as bytes.
 */
export function columnTypeInfo(dataType: string, columnType: string): ColumnTypeInfo {
  const t = dataType.toLowerCase();
  if (INTEGER_TYPES.has(t)) return { kind: 'integer' };
  if (FLOAT_TYPES.has(t)) return { kind: 'float' };
  if (DECIMAL_TYPES.has(t)) return { kind: 'decimal' };
  if (DATETIME_TYPES.has(t)) return { kind: 'datetime' };
  if (t === 'time') return { kind: 'time' };
  if (t === 'enum' || t === 'set') return { kind: 'string', members: parseMembers(columnType) };
  if (STRING_TYPES.has(t)) return { kind: 'string' };
  if (BINARY_TYPES.has(t)) return { kind: 'binary' };
  // Spatial values are read as WKT text (ST_AsText): WKB bytes are neither searchable nor readable.
  if (SPATIAL_TYPES.has(t)) return { kind: 'string' };
  // A type this map does not know (e.g. a newer server's VECTOR) must not make the whole table unusable:
  // its bytes are kept exactly (base64), which is lossless whatever the type turns out to be.
  return { kind: 'binary' };
}

/**
 * The members of `enum('a','b''c','d,e')` / `set(...)`: single-quoted, `''` for a quote inside, and
 * backslash escapes as SHOW CREATE TABLE prints them.
 */
export function parseMembers(columnType: string): readonly string[] {
  const open = columnType.indexOf('(');
  const close = columnType.lastIndexOf(')');
  if (open < 0 || close < open) throw new TypeError(`not an enum/set type: ${JSON.stringify(columnType)}`);
  const body = columnType.slice(open + 1, close);
  const members: string[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] !== "'") throw new TypeError(`bad enum/set member list at ${i}: ${JSON.stringify(columnType)}`);
    let member = '';
    i++;
    for (;;) {
      if (i >= body.length) throw new TypeError(`unterminated enum/set member: ${JSON.stringify(columnType)}`);
      const c = body[i]!;
      if (c === "'" && body[i + 1] === "'") {
        member += "'";
        i += 2;
      } else if (c === "'") {
        i++;
        break;
      } else if (c === '\\' && i + 1 < body.length) {
        member += unescapeChar(body[i + 1]!);
        i += 2;
      } else {
        member += c;
        i++;
      }
    }
    members.push(member);
    if (body[i] === ',') i++;
  }
  return members;
}

function unescapeChar(c: string): string {
  switch (c) {
    case '0':
      return '\0';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'Z':
      return '\x1a';
    default:
      return c;
  }
}

/** TIMESTAMP (by its COLUMN_TYPE): read in UTC; DATE/DATETIME are read in the configured offset. */
export function isUtcTemporal(columnType: string): boolean {
  return /^timestamp\b/i.test(columnType);
}

/** Spatial columns (by COLUMN_TYPE) are selected through ST_AsText. */
export function isSpatial(columnType: string): boolean {
  return SPATIAL_TYPES.has(columnType.toLowerCase().replace(/[\s(].*$/, ''));
}
