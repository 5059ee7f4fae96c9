// Compares the whole index with the whole source table, document by document, field by field.
import type { Pool } from 'mysql2/promise';
import { valueFromText, type FieldKind } from '../../../src/core/value.js';
import type { Client } from './server.js';

export interface Difference {
  readonly key: string;
  readonly field: string;
  readonly table: unknown;
  readonly index: unknown;
}

export async function diffIndexWithTable(c: Client, index: string, pool: Pool, o: { db: string; table: string; key: string; fields: Record<string, FieldKind> }): Promise<Difference[]> {
  const cols = Object.keys(o.fields);
  const [rows] = await pool.query({
    sql: `SELECT ${cols.map((c) => `\`${c}\``).join(', ')} FROM \`${o.db}\`.\`${o.table}\``,
    typeCast: (field: any) => field.string(),
  });
  const table = new Map<string, Record<string, unknown>>();
  for (const r of rows as Record<string, string | null>[]) {
    table.set(String(r[o.key]), Object.fromEntries(cols.map((c) => [c, valueFromText(o.fields[c]!, r[c] ?? null)])));
  }
  const res = await c.select(index, { q: '*:*', rows: String(table.size + 1000), fl: cols.join(',') });
  const diffs: Difference[] = [];
  const seen = new Set<string>();
  for (const doc of res.response.docs as Record<string, unknown>[]) {
    const key = String(doc[o.key]);
    seen.add(key);
    const row = table.get(key);
    if (!row) {
      diffs.push({ key, field: '(document)', table: undefined, index: 'present' });
      continue;
    }
    for (const col of cols) {
      const a = row[col] === null || row[col] === undefined ? null : String(row[col]);
      const b = doc[col] === null || doc[col] === undefined ? null : String(doc[col]);
      if (a !== b) diffs.push({ key, field: col, table: a, index: b });
    }
  }
  for (const key of table.keys()) if (!seen.has(key)) diffs.push({ key, field: '(document)', table: 'present', index: undefined });
  return diffs;
}

/** Polls until the index equals the table, or returns the last differences after the timeout. */
export async function waitUntilEqual(fn: () => Promise<Difference[]>, timeoutMs = 30_000): Promise<Difference[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await fn();
    if (d.length === 0 || Date.now() > deadline) return d;
    await new Promise((r) => setTimeout(r, 200));
  }
}
