// Assembles the SQL for one search from the compiled q and fq conditions. Two shapes:
//  - q has full-text conjuncts: drive from `fts MATCH` (one expression), join docs for column predicates,
//    rank with bm25(); without column predicates the page is ranked on fts alone and docs read afterwards;
//  - otherwise: scan/filter `docs d`, with q's positive full-text leaves in a LEFT JOIN sub-select for score.
// fq never changes scores (as in Solr): its full-text parts are `rid IN (SELECT rowid ... MATCH)` filters.
import type { CompiledQuery } from '../query/compiler.js';
import { and, ftsOf, positiveFts, sqlOf, type Condition } from '../query/condition.js';
import type { SqlParam } from '../query/field-values.js';
import type { RankFunction } from '../store/rank-extension.js';

export interface SelectPlan {
  /** FROM clause (docs are aliased `d`). */
  readonly from: string;
  readonly fromParams: readonly SqlParam[];
  /** WHERE predicate ('1' when none). */
  readonly where: string;
  readonly whereParams: readonly SqlParam[];
  /** Score of a row (higher is better): -rankAsc, or 1.0 for every row when constantScore. */
  readonly score: string;
  readonly constantScore: boolean;
  /** Expression ordering rows best-first when sorted ascending (cheaper than -score for FTS5). */
  readonly rankAsc: string;
  /** The FTS5 expression driving the query, when it is the only predicate (rank and count on fts alone). */
  readonly ftsOnly: string | null;
  /**
   * When the rows come from `fts MATCH` joined to docs (ordering them visits every hit whatever the sort): the
   * MATCH expression, and the other predicates on docs (`d.`) apart ('' when none).
   */
  readonly ftsDriven: { readonly match: string; readonly rest: string; readonly restParams: readonly SqlParam[] } | null;
  /** bm25(...) (or tsrank(...), the same scores: rank-extension.ts) call text for fts-only ranking. */
  readonly bm25: string;
  readonly matchesNothing: boolean;
  /** The whole query (q and fq together) is `column = value` on an exact field: numFound may be stored. */
  readonly equality: { readonly column: string; readonly value: SqlParam } | null;
}

export function planSelect(q: CompiledQuery, filters: readonly CompiledQuery[], rank: RankFunction = 'bm25'): SelectPlan {
  const bm25 = bm25Call(rank, q.weights);
  const filterCond = and(filters.map((f) => f.condition));
  const top = q.condition.k === 'and' ? q.condition.items : [q.condition];
  const ftsPos: string[] = [];
  const ftsNeg: string[] = [];
  const rest: Condition[] = [];
  for (const c of top) {
    const e = c.k === 'not' ? ftsOf(c.item) : ftsOf(c);
    if (e === null) rest.push(c);
    else (c.k === 'not' ? ftsNeg : ftsPos).push(e);
  }
  const matchesNothing = q.condition.k === 'none' || filterCond.k === 'none';
  if (ftsPos.length > 0) {
    const match = ftsPos.map((p) => `(${p})`).join(' AND ') + ftsNeg.map((n) => ` NOT (${n})`).join('');
    const whereParams: SqlParam[] = [match];
    const restCond = and([...rest, filterCond]);
    const restText = restCond.k === 'all' ? '' : sqlOf(restCond, whereParams);
    const restSql = restText === '' ? '' : ` AND (${restText})`;
    return {
      from: 'fts JOIN docs d ON d.rid = fts.rowid',
      fromParams: [],
      where: `fts MATCH ?${restSql}`,
      whereParams,
      score: `-${bm25}`,
      constantScore: false,
      rankAsc: bm25,
      ftsOnly: restSql === '' ? match : null,
      ftsDriven: { match, rest: restText, restParams: whereParams.slice(1) },
      bm25,
      matchesNothing,
      equality: null,
    };
  }
  const whereParams: SqlParam[] = [];
  const cond = and([q.condition, filterCond]);
  const where = cond.k === 'all' ? '1' : sqlOf(cond, whereParams);
  const scoring = positiveFts(q.condition);
  if (scoring.length === 0) {
    const equality = cond.k === 'sql' && cond.eq !== undefined ? cond.eq : null;
    return { from: 'docs d', fromParams: [], where, whereParams, score: '1.0', constantScore: true, rankAsc: '0.0', ftsOnly: null, ftsDriven: null, bm25, matchesNothing, equality };
  }
  const scoreMatch = scoring.map((p) => `(${p})`).join(' OR ');
  return {
    from: `docs d LEFT JOIN (SELECT rowid AS rid, ${bm25} AS b FROM fts WHERE fts MATCH ?) s ON s.rid = d.rid`,
    fromParams: [scoreMatch],
    where,
    whereParams,
    score: 'COALESCE(-s.b, 0.0)',
    constantScore: false,
    rankAsc: 'COALESCE(s.b, 0.0)',
    ftsOnly: null,
    ftsDriven: null,
    bm25,
    matchesNothing,
    equality: null,
  };
}

// Weights are numbers this process computed (parsed qf weights, boosts), written as SQL literals.
function bm25Call(rank: RankFunction, weights: readonly number[]): string {
  return weights.length === 0 ? `${rank}(fts)` : `${rank}(fts, ${weights.map((w) => (Number.isFinite(w) ? String(w) : '1')).join(', ')})`;
}
