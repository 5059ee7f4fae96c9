// facet.field and facet.query counts over the documents a search matches (q and fq), as Solr computes
// them: values by count descending then value, zero counts listed when facet.mincount is 0.
import type Database from 'better-sqlite3';
import type { FieldCatalog } from '../query/fields.js';
import type { FieldLayout } from '../store/layout.js';
import type { SqlParam } from '../query/field-values.js';
import type { FacetRequest } from './request.js';
import type { SelectPlan } from './plan.js';
import { canonical, valueText } from './doc-values.js';

export type Prepare = (sql: string) => Database.Statement;

/**
 * `indexed(column)`: whether a B-tree index of docs starts with the column; its distinct values (for the zero
 * counts) are then found by one index seek each instead of a scan of the whole index.
 */
export function fieldFacet(prepare: Prepare, fields: FieldCatalog, plan: SelectPlan, name: string, req: FacetRequest, indexed: (column: string) => boolean = () => false): [string, number][] {
  const layout = fields.resolve(name, 'facet.field');
  const col = `d.${layout.column}`;
  const limit = req.limit ?? 100;
  const mincount = Math.max(req.mincount ?? 0, 0);
  const offset = req.offset ?? 0;
  const byIndex = req.sort === 'index' || (req.sort === undefined && limit < 0);
  if (!plan.matchesNothing && layout.sortColumn === layout.column && indexed(layout.column)) {
    const few = fewValueCounts(prepare, plan, layout);
    if (few !== null) {
      // Values ascending already; by count: count descending, ties in value order (a stable sort).
      const kept = few.filter(([, c]) => c >= mincount);
      if (!byIndex) kept.sort((a, b) => b[1] - a[1]);
      const page = limit < 0 ? kept.slice(offset) : kept.slice(offset, offset + limit);
      return page.map(([v, c]) => [valueText(canonical(layout, v)), c]);
    }
  }
  // Decimals are stored as exact text; their values order by the numeric copy (sortColumn).
  const v = layout.sortColumn === layout.column ? 'v' : `MIN(d.${layout.sortColumn})`;
  const order = byIndex ? `${v} ASC` : `c DESC, ${v} ASC`;
  const params: SqlParam[] = [...plan.fromParams, ...plan.whereParams, Math.max(mincount, 1), limit < 0 ? -1 : limit + offset];
  const rows = plan.matchesNothing
    ? []
    : (prepare(
        `SELECT ${col} AS v, COUNT(*) AS c FROM ${plan.from} WHERE (${plan.where}) AND ${col} IS NOT NULL GROUP BY ${col} HAVING COUNT(*) >= ? ORDER BY ${order} LIMIT ?`,
      )
        .raw(true)
        .safeIntegers(true)
        .all(...params) as [unknown, bigint][]);
  const out: [string, number][] = rows.map(([v, c]) => [valueText(canonical(layout, v)), Number(c)]);
  if (mincount === 0 && byIndex) {
    // In value order, values of other documents (count 0) stand among the counted ones. The counted rows are
    // the first limit+offset counted values, so every counted value among the first limit+offset values is there.
    const counted = new Map(out);
    const values = distinctValues(prepare, layout, limit < 0 ? -1 : limit + offset, indexed(layout.column));
    const all = values.map((v): [string, number] => {
      const text = valueText(canonical(layout, v));
      return [text, counted.get(text) ?? 0];
    });
    return limit < 0 ? all.slice(offset) : all.slice(offset, offset + limit);
  }
  if (mincount === 0 && (limit < 0 || out.length < limit + offset)) {
    // By count, Solr lists values of other documents with count 0 after the counted ones.
    const seen = new Set(out.map(([v]) => v));
    const want = limit < 0 ? -1 : limit + offset + seen.size;
    const zeros = distinctValues(prepare, layout, want, indexed(layout.column));
    for (const v of zeros) {
      const text = valueText(canonical(layout, v));
      if (!seen.has(text)) out.push([text, 0]);
      if (limit >= 0 && out.length >= limit + offset) break;
    }
  }
  return limit < 0 ? out.slice(offset) : out.slice(offset, offset + limit);
}

// Up to this many distinct values, a field's counts come from one pass with a conditional count per value
// instead of GROUP BY (which sorts every matching row): 250k rows, a term in 18k, gender: 7.1 -> ~5 ms.
const FEW_VALUES = 16;

/** [value, count] for every distinct value of an indexed column, ascending, or null when it has more than FEW_VALUES. */
function fewValueCounts(prepare: Prepare, plan: SelectPlan, layout: FieldLayout): [unknown, number][] | null {
  const values = distinctValues(prepare, layout, FEW_VALUES + 1, true);
  if (values.length > FEW_VALUES) return null;
  if (values.length === 0) return [];
  const col = `d.${layout.column}`;
  const sums = values.map(() => `COUNT(*) FILTER (WHERE ${col} = ?)`).join(', ');
  const counts = prepare(`SELECT ${sums} FROM ${plan.from} WHERE ${plan.where}`)
    .raw(true)
    .get(...values, ...plan.fromParams, ...plan.whereParams) as number[];
  return values.map((v, i) => [v, Number(counts[i])]);
}

export function countOf(prepare: Prepare, plan: SelectPlan, extraWhere = '', extraParams: readonly SqlParam[] = []): number {
  if (plan.matchesNothing) return 0;
  if (plan.ftsOnly !== null && extraWhere === '') {
    return Number(prepare('SELECT COUNT(*) FROM fts WHERE fts MATCH ?').pluck().get(plan.ftsOnly));
  }
  const sql = `SELECT COUNT(*) FROM ${plan.from} WHERE (${plan.where})${extraWhere ? ` AND (${extraWhere})` : ''}`;
  return Number(prepare(sql).pluck().get(...plan.fromParams, ...plan.whereParams, ...extraParams));
}

// The first `limit` (-1: all) distinct non-null values of a field's docs column in ascending order.
function distinctValues(prepare: Prepare, layout: FieldLayout, limit: number, indexed: boolean): unknown[] {
  const column = layout.column;
  if (!indexed) {
    const order = layout.sortColumn === column ? '1' : `MIN(${layout.sortColumn})`;
    return prepare(`SELECT ${column} FROM docs WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY ${order} LIMIT ?`).pluck().safeIntegers(true).all(limit) as unknown[];
  }
  // Skip-scan: each next value is one seek past the previous one (measured 17 ms → well under 1 ms for a
  // two-valued column of 250k rows, whose DISTINCT walked all 250k index entries).
  const first = prepare(`SELECT MIN(${column}) FROM docs WHERE ${column} IS NOT NULL`).pluck().safeIntegers(true);
  const next = prepare(`SELECT MIN(${column}) FROM docs WHERE ${column} > ?`).pluck().safeIntegers(true);
  const out: unknown[] = [];
  for (let v = first.get(); v !== null && v !== undefined && (limit < 0 || out.length < limit); v = next.get(v)) out.push(v);
  return out;
}
