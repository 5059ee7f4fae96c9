// cursorMark deep paging: the mark is the sort values of the last returned document (opaque to clients,
// base64url JSON). The next page continues strictly after it in the sort order, with SQLite's rule that
// NULL sorts first ascending.
import { TidesearchError } from '../../errors/index.js';
import type { SqlParam } from '../query/field-values.js';
import type { SortKey } from './sort-spec.js';

export type MarkValue = string | number | bigint | null;

export const CURSOR_START = '*';

export function encodeMark(values: readonly MarkValue[]): string {
  const json = JSON.stringify(values.map((v) => (typeof v === 'bigint' ? { b: v.toString() } : v)));
  return Buffer.from(json, 'utf8').toString('base64url');
}

export function decodeMark(mark: string, keyCount: number): MarkValue[] {
  try {
    const arr = JSON.parse(Buffer.from(mark, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(arr) || arr.length !== keyCount) throw new Error('wrong length');
    return arr.map((v: unknown) => {
      if (v === null || typeof v === 'string' || typeof v === 'number') return v;
      if (typeof v === 'object' && v && typeof (v as { b?: unknown }).b === 'string') return BigInt((v as { b: string }).b);
      throw new Error('bad value');
    });
  } catch {
    throw new TidesearchError('BAD_REQUEST', `Unable to parse 'cursorMark' after totem: value must either be '*' or the nextCursorMark returned by a previous search with the same sort: ${mark}`, {
      field: 'cursorMark',
    });
  }
}

/** `(k1, k2, ...) > (v1, v2, ...)` in the sort order, expanded so each key keeps its own direction. */
export function afterMark(keys: readonly SortKey[], values: readonly MarkValue[], params: SqlParam[]): string {
  const ors: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const parts: string[] = [];
    for (let j = 0; j < i; j++) parts.push(equal(keys[j]!.expr, values[j]!, params));
    parts.push(beyond(keys[i]!, values[i]!, params));
    ors.push(`(${parts.join(' AND ')})`);
  }
  return ors.join(' OR ');
}

function equal(expr: string, v: MarkValue, params: SqlParam[]): string {
  if (v === null) return `${expr} IS NULL`;
  params.push(v);
  return `${expr} = ?`;
}

function beyond(k: SortKey, v: MarkValue, params: SqlParam[]): string {
  if (k.dir === 'asc') {
    if (v === null) return `${k.expr} IS NOT NULL`;
    params.push(v);
    return `${k.expr} > ?`;
  }
  if (v === null) return '0';
  params.push(v);
  return `(${k.expr} < ? OR ${k.expr} IS NULL)`;
}
