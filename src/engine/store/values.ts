// Converts canonical values to SQLite parameters for a generation's docs columns, in layout order.
import type { RowImage } from '../../core/value.js';
import type { FieldLayout } from './layout.js';

export type SqlValue = string | number | bigint | null;

/** Parameters for f0.. (and fN_num after each decimal), matching the column order of generation-file.ts. */
export function docParams(layout: readonly FieldLayout[], row: RowImage): SqlValue[] {
  const out: SqlValue[] = [];
  for (const l of layout) {
    const v = row[l.field.name] ?? null;
    out.push(v);
    if (l.sortColumn !== l.column) out.push(v === null ? null : Number(v));
  }
  return out;
}

/** The docs column list matching docParams. */
export function docColumns(layout: readonly FieldLayout[]): string[] {
  return layout.flatMap((l) => (l.sortColumn !== l.column ? [l.column, l.sortColumn] : [l.column]));
}

/** The text of each full-text field of a row, in FTS column order (null where the value is NULL). */
export function ftsTexts(layout: readonly FieldLayout[], row: RowImage): (string | null)[] {
  const out: (string | null)[] = [];
  for (const l of layout) {
    if (!l.ftsColumn) continue;
    const v = row[l.field.name];
    out.push(v === null || v === undefined ? null : String(v));
  }
  return out;
}
