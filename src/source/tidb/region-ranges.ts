// Chunks a TiDB table along its regions: `TABLESAMPLE REGIONS()` returns the first row of every region, and
// consecutive sampled keys bound one chunk each, so parallel readers hit different TiKV regions.
import type { TableSchema } from '../../core/schema.js';
import type { RawValue, SqlConnection } from '../mysql/connection.js';
import { quoteIdentifier, quoteTableName } from '../identifiers.js';

/** One chunk: key >= lower (none: from the start) and key < upper (none: to the end). */
export interface RegionRange {
  readonly lower?: readonly RawValue[];
  readonly upper?: readonly RawValue[];
}

/** The sampled region start keys in key order, or undefined when TiDB cannot sample this table. */
export async function regionStartKeys(conn: SqlConnection, schema: TableSchema): Promise<{ keys: readonly (readonly RawValue[])[] } | { error: string }> {
  const key = schema.key.map(quoteIdentifier).join(', ');
  try {
    const rows = await conn.query<Record<string, RawValue>>(`SELECT ${key} FROM ${quoteTableName(schema.db, schema.table)} TABLESAMPLE REGIONS() ORDER BY ${key}`);
    return { keys: rows.map((r) => schema.key.map((k) => r[k] ?? null)) };
  } catch (e) {
    // e.g. "Invalid TABLESAMPLE: plan not supported" on some clustered keys, or a proxy in front of TiDB.
    return { error: (e as Error).message };
  }
}

/** Chunks between consecutive start keys; the first region's start is the table's first row, so it opens no chunk. */
export function rangesFromStartKeys(keys: readonly (readonly RawValue[])[]): readonly RegionRange[] {
  const bounds = keys.slice(1);
  if (bounds.length === 0) return [{}];
  const ranges: RegionRange[] = [{ upper: bounds[0]! }];
  for (let i = 0; i < bounds.length; i++) ranges.push({ lower: bounds[i]!, ...(i + 1 < bounds.length ? { upper: bounds[i + 1]! } : {}) });
  return ranges;
}

export interface KeyPredicate {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * `(k1, k2, ...) op (v1, v2, ...)` spelled out as ORs of ANDs, which every TiDB version turns into key ranges.
 * Integer and decimal values are inlined as validated literals: as `?` strings they would compare as DOUBLE.
 */
export function keyCompare(schema: TableSchema, values: readonly RawValue[], op: '>=' | '>' | '<'): KeyPredicate {
  const params: unknown[] = [];
  const lit = (i: number): string => {
    const name = schema.key[i]!;
    const kind = schema.columns.find((c) => c.name === name)?.kind;
    const v = values[i] ?? null;
    if ((kind === 'integer' || kind === 'decimal') && (typeof v === 'number' || typeof v === 'string') && /^-?\d+(\.\d+)?$/.test(String(v))) return String(v);
    params.push(v);
    return '?';
  };
  const ors: string[] = [];
  for (let i = 0; i < schema.key.length; i++) {
    const last = i === schema.key.length - 1;
    const parts: string[] = [];
    for (let j = 0; j < i; j++) parts.push(`${quoteIdentifier(schema.key[j]!)} = ${lit(j)}`);
    const strictOp = op === '<' ? '<' : '>';
    parts.push(`${quoteIdentifier(schema.key[i]!)} ${last ? op : strictOp} ${lit(i)}`);
    ors.push(parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`);
  }
  return { sql: ors.length === 1 ? `(${ors[0]})` : `(${ors.join(' OR ')})`, params };
}
