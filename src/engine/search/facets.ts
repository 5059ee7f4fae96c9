// facet.field and facet.query counts over the documents a search matches (q and fq), as Solr computes
// them: values by count descending then value, zero counts listed when facet.mincount is 0.
import type Database from 'better-sqlite3';
import type { FieldCatalog } from '../query/fields.js';
import type { SqlParam } from '../query/field-values.js';
import type { FacetRequest } from './request.js';
import type { SelectPlan } from './plan.js';
import { canonical, valueText } from './doc-values.js';

export type Prepare = (sql: string) => Database.Statement;

export function fieldFacet(prepare: Prepare, fields: FieldCatalog, plan: SelectPlan, name: string, req: FacetRequest): [string, number][] {
  const layout = fields.resolve(name, 'facet.field');
  const col = `d.${layout.column}`;
  const limit = req.limit ?? 100;
  const mincount = Math.max(req.mincount ?? 0, 0);
  const offset = req.offset ?? 0;
  const order = req.sort === 'index' || (req.sort === undefined && limit < 0) ? 'v ASC' : 'c DESC, v ASC';
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
  if (mincount === 0 && (limit < 0 || out.length < limit + offset)) {
    // Solr lists values of other documents with count 0 after the counted ones.
    const seen = new Set(out.map(([v]) => v));
    const want = limit < 0 ? -1 : limit + offset + seen.size;
    const zeros = prepare(`SELECT DISTINCT ${col.replace('d.', '')} FROM docs WHERE ${col.replace('d.', '')} IS NOT NULL ORDER BY 1 LIMIT ?`)
      .raw(true)
      .safeIntegers(true)
      .all(want) as [unknown][];
    for (const [v] of zeros) {
      const text = valueText(canonical(layout, v));
      if (!seen.has(text)) out.push([text, 0]);
      if (limit >= 0 && out.length >= limit + offset) break;
    }
  }
  return limit < 0 ? out.slice(offset) : out.slice(offset, offset + limit);
}

export function countOf(prepare: Prepare, plan: SelectPlan, extraWhere = '', extraParams: readonly SqlParam[] = []): number {
  if (plan.matchesNothing) return 0;
  if (plan.ftsOnly !== null && extraWhere === '') {
    return Number(prepare('SELECT COUNT(*) FROM fts WHERE fts MATCH ?').pluck().get(plan.ftsOnly));
  }
  const sql = `SELECT COUNT(*) FROM ${plan.from} WHERE (${plan.where})${extraWhere ? ` AND (${extraWhere})` : ''}`;
  return Number(prepare(sql).pluck().get(...plan.fromParams, ...plan.whereParams, ...extraParams));
}
