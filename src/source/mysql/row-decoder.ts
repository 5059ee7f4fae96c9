// Turns the driver's raw row arrays into canonical RowImages: one converter per column, chosen once from
// its FieldKind, so each value is converted exactly once (valueFromText semantics).
import type { ColumnSchema } from '../../core/schema.js';
import { integerFromText, valueFromText, type IndexValue, type RowImage } from '../../core/value.js';
import { isUtcTemporal } from '../type-map.js';
import type { RawRow, RawValue } from './connection.js';
import { utcIsoFast } from './utc-datetime.js';

type Converter = (raw: RawValue) => IndexValue;

export interface RowDecoder {
  decode(raw: RawRow): RowImage;
}

/**
 * `offsetMinutes`: the UTC offset DATE/DATETIME values are written in. TIMESTAMP is always read at
 * offset 0 because the snapshot sessions run with time_zone '+00:00'.
 */
export function rowDecoder(columns: readonly ColumnSchema[], offsetMinutes: number): RowDecoder {
  const names = columns.map((c) => c.name);
  const converters = columns.map((c) => converterFor(c, offsetMinutes));
  const n = names.length;
  return {
    decode(raw: RawRow): RowImage {
      const image: Record<string, IndexValue> = {};
      for (let i = 0; i < n; i++) image[names[i]!] = converters[i]!(raw[i] ?? null);
      return image;
    },
  };
}

function converterFor(column: ColumnSchema, offsetMinutes: number): Converter {
  switch (column.kind) {
    case 'integer':
      return integerValue;
    case 'float':
      return (raw) => (raw === null ? null : typeof raw === 'number' ? raw : Number(text(raw)));
    case 'datetime': {
      const offset = isUtcTemporal(column.sqlType) ? 0 : offsetMinutes;
      if (offset !== 0) return (raw) => valueFromText('datetime', raw === null ? null : text(raw), offset);
      return (raw) => {
        if (raw === null) return null;
        const t = text(raw);
        return utcIsoFast(t) ?? valueFromText('datetime', t, 0);
      };
    }
    case 'binary':
      // Same bytes valueFromText('binary') would produce from the latin1 text, without the detour.
      return (raw) => (raw === null ? null : Buffer.isBuffer(raw) ? raw.toString('base64') : Buffer.from(String(raw), 'latin1').toString('base64'));
    default: {
      const kind = column.kind;
      return (raw) => valueFromText(kind, raw === null ? null : text(raw));
    }
  }
}

function integerValue(raw: RawValue): IndexValue {
  if (raw === null) return null;
  if (typeof raw === 'number') return raw;
  // BIT(n) arrives as big-endian bytes.
  if (Buffer.isBuffer(raw)) return integerFromText(bitsToDecimal(raw));
  return integerFromText(raw);
}

function bitsToDecimal(bytes: Buffer): string {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v.toString();
}

function text(raw: string | number | Buffer): string {
  return typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
}
