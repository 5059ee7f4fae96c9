// Splits a table into key ranges that parallel readers take in turn. Only a leading integer key column
// can be split by arithmetic (MIN/MAX); any other key is read as one range by one connection.
import type { ColumnSchema, TableSchema } from '../../core/schema.js';
import { quoteIdentifier } from '../identifiers.js';

/** A slice of the table as SQL: `where` is empty for the whole table. Bounds are inlined integer literals. */
export interface KeyRange {
  readonly where: string;
}

export const WHOLE_TABLE: KeyRange = { where: '' };

/** The key column ranges can be split on, if any: the first key column when it is a plain integer. */
export function splitColumn(schema: TableSchema): ColumnSchema | undefined {
  const first = schema.columns.find((c) => c.name === schema.key[0]);
  // BIT is an integer kind but MIN/MAX return bytes and comparisons would need b'' literals: not worth it.
  return first && first.kind === 'integer' && !/^bit\b/i.test(first.sqlType) ? first : undefined;
}

/**
 * `count` contiguous ranges covering [min, max] on `column`. Bounds are BigInt-made literals (digits and
 * a sign only), inlined because a string parameter would compare as DOUBLE and lose precision past 2^53.
 */
export function planRanges(column: string, min: bigint, max: bigint, count: number): readonly KeyRange[] {
  const k = quoteIdentifier(column);
  const span = max - min + 1n;
  const n = BigInt(Math.max(1, count)) > span ? span : BigInt(Math.max(1, count));
  const step = span / n;
  const ranges: KeyRange[] = [];
  let lo = min;
  for (let i = 1n; i <= n; i++) {
    if (i === n) {
      ranges.push({ where: `${k} >= ${lo} AND ${k} <= ${max}` });
    } else {
      const hi = lo + step;
      ranges.push({ where: `${k} >= ${lo} AND ${k} < ${hi}` });
      lo = hi;
    }
  }
  return ranges;
}
