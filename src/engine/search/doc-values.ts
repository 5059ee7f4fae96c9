// Reads stored values back in their canonical form: INTEGER columns arrive as bigint (safeIntegers) and
// become numbers when exactly representable, so 64-bit ids survive; everything else is as stored.
import type { IndexValue } from '../../core/value.js';
import type { FieldLayout } from '../store/layout.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

export function canonical(layout: FieldLayout, raw: unknown): IndexValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'bigint') {
    if (layout.field.kind === 'integer') return raw >= MIN && raw <= MAX ? Number(raw) : raw;
    return layout.field.kind === 'float' ? Number(raw) : raw.toString();
  }
  if (typeof raw === 'number') return layout.field.kind === 'integer' || layout.field.kind === 'float' ? raw : String(raw);
  if (Buffer.isBuffer(raw)) return raw.toString('base64');
  return String(raw);
}

/** The text form Solr uses for facet values and highlighting keys. */
export function valueText(v: IndexValue): string {
  return v === null ? '' : String(v);
}
