// One open-protocol column ({t: MySQL type code, f: flags, v: value}) → canonical IndexValue.
// How TiCDC writes each: strings as UTF-8 JSON strings, BINARY/VARBINARY (binary flag) Go-quoted,
// BLOB/TEXT as base64 of their bytes, ENUM index and SET bitmask as numbers, BIT as a number,
// DECIMAL and date/time as text. Output from TiCDC before flags existed (no "f") base64-encoded strings too.
import type { ColumnSchema } from '../../core/schema.js';
import { valueFromText, type IndexValue } from '../../core/value.js';
import { enumFromIndex, setFromBitmask, type ColumnInfo } from './column-values.js';
import { bytesFromGoQuoted } from './go-quoted.js';

export interface OpenColumn {
  readonly t?: number;
  readonly f?: number;
  readonly h?: boolean;
  readonly v?: unknown;
}

const BINARY_FLAG = 1;
const TYPE_ENUM = 247;
const TYPE_SET = 248;
const BLOB_TYPES = new Set([249, 250, 251, 252]);
const STRING_TYPES = new Set([15, 253, 254]);

export function openColumnValue(info: ColumnInfo, raw: OpenColumn, offsetMinutes: number): IndexValue {
  const col = info.column;
  const v = raw.v;
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new TypeError(`value is a JSON ${Array.isArray(v) ? 'array' : 'object'}`);
  const t = raw.t ?? -1;
  if (t === TYPE_ENUM || info.members === 'enum') return enumFromIndex(col, scalarText(v));
  if (t === TYPE_SET || info.members === 'set') return setFromBitmask(col, scalarText(v));
  if (BLOB_TYPES.has(t)) return fromBytes(col, Buffer.from(stringOf(v), 'base64'));
  if (STRING_TYPES.has(t)) {
    const s = stringOf(v);
    if (raw.f === undefined) return fromBytes(col, Buffer.from(s, 'base64')); // pre-flag TiCDC output
    if ((raw.f & BINARY_FLAG) !== 0) return fromBytes(col, bytesFromGoQuoted(s));
    return col.kind === 'binary' ? Buffer.from(s, 'utf8').toString('base64') : s;
  }
  return valueFromText(col.kind, scalarText(v), offsetMinutes);
}

function fromBytes(col: ColumnSchema, bytes: Buffer): IndexValue {
  return col.kind === 'binary' ? bytes.toString('base64') : bytes.toString('utf8');
}

function stringOf(v: string | number | boolean): string {
  if (typeof v !== 'string') throw new TypeError(`expected a string, got ${typeof v}`);
  return v;
}

function scalarText(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}
