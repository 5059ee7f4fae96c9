// Answers the first ranked rows of a one-term query from the generation's stored top-K (store/topk-table.ts)
// instead of ranking every hit. The answer is exact or not given (the caller then runs the normal plan):
//  - candidates = stored top-K rids ∪ rids touched since seal; they are scored by FTS5's own bm25() in one
//    query and ordered by (score, rid), so scores and order are those of the normal plan;
//  - a document that is not a candidate is untouched and ranked, at seal time, after every stored rid; in
//    particular after the "sentinel", the lowest stored rid that is still untouched. bm25 is
//    idf·f(k1+1)/(f + k1(1-b+b·D/avgdl)): idf is common to all rows of the query and f, D of untouched rows
//    do not change, so only avgdl moves. If avgdl is unchanged, untouched rows keep their seal-time order and
//    every candidate ranked before the sentinel is exact. If avgdl moved from a0 to a1, a row's score can grow
//    by at most r = max(a1/a0, a0/a1) relative to the sentinel's, so a row is exact when its score exceeds
//    r × the sentinel's. The page is answered only when all its rows pass; documents added or changed after
//    seal are candidates themselves (touched), deleted ones no longer match.
// Costs one doclist pass of the term (bm25 computes idf from it) instead of sorting all hits by score.
import type Database from 'better-sqlite3';
import { ftsTotals, readTopKMeta, scopeKey, type TopKMeta } from '../store/topk-table.js';

export interface TopKAnswerer {
  /** The first `limit` rows [rid, bm25] ordered by (bm25, rid), or null when they cannot be vouched for. */
  page(match: string, bm25: string, limit: number): [bigint, number][] | null;
}

const SINGLE_TERM = /^\{(t\d+(?: t\d+)*)\} : \("((?:[^"]|"")+)"\)$/;
const TOUCHED_LIMIT_FACTOR = 1;
const EPSILON = 1e-9;

/** An answerer for the generation behind `db`, or null when it was sealed without a top-K table. */
export function topKAnswerer(db: Database.Database): TopKAnswerer | null {
  const meta = readTopKMeta(db);
  if (meta === null) return null;
  const termRow = db.prepare('SELECT hits, stored FROM topk_terms WHERE cols = ? AND term = ?');
  const storedRids = db.prepare('SELECT rid FROM topk WHERE cols = ? AND term = ? ORDER BY rank').pluck().safeIntegers(true);
  const touchedCount = db.prepare('SELECT count(*) FROM touched').pluck();
  const touchedRids = db.prepare('SELECT rid FROM touched').pluck().safeIntegers(true);
  const scoreSql = new Map<string, Database.Statement>();
  const scorer = (bm25: string): Database.Statement => {
    let s = scoreSql.get(bm25);
    if (!s) {
      // `+rowid`: a rowid constraint given to FTS5 would restart the query (and bm25's idf pass) per rid.
      s = db.prepare(`SELECT rowid, ${bm25} FROM fts WHERE fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))`).raw(true).safeIntegers(true);
      scoreSql.set(bm25, s);
    }
    return s;
  };

  const answer = (match: string, bm25: string, limit: number): [bigint, number][] | null => {
    const m = SINGLE_TERM.exec(match);
    if (!m) return null;
    const columns = m[1]!.split(' ');
    const term = m[2]!.replaceAll('""', '"');
    if (/\s/.test(term) || !uniformWeights(bm25, columns)) return null;
    const scope = scopeKey(columns);
    const entry = termRow.get(scope, term) as { hits: number; stored: number } | undefined;
    if (!entry || (limit > entry.stored && entry.stored < entry.hits)) return null;
    if ((touchedCount.get() as number) > meta.k * TOUCHED_LIMIT_FACTOR) return null;
    const stored = storedRids.all(scope, term) as bigint[];
    const touched = new Set((touchedRids.all() as bigint[]).map(String));
    const candidates = new Set<string>([...stored.map(String), ...touched]);
    const rows = (scorer(bm25).all(match, `[${[...candidates].join(',')}]`) as [bigint, number | bigint][]).map(
      ([rid, r]): [bigint, number] => [rid, Number(r)],
    );
    rows.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (entry.stored >= entry.hits) return rows.slice(0, limit); // every seal-time hit is a candidate
    const sentinel = lastUntouched(stored, touched);
    if (sentinel === null) return null;
    const at = rows.findIndex((r) => r[0] === sentinel);
    if (at < 0) return null;
    const drift = driftOf(db, meta);
    if (drift === null) return null;
    if (drift === 1) return limit <= at + 1 ? rows.slice(0, limit) : null;
    const bar = -rows[at]![1] * drift * (1 + EPSILON);
    const page = rows.slice(0, limit);
    return page.length === limit && page.every((r) => -r[1] > bar) ? page : null;
  };

  return {
    page(match, bm25, limit) {
      // One read transaction: the touched set and the scores must come from the same commit.
      return db.transaction(() => answer(match, bm25, limit))();
    },
  };
}

function lastUntouched(stored: readonly bigint[], touched: ReadonlySet<string>): bigint | null {
  for (let i = stored.length - 1; i >= 0; i--) if (!touched.has(String(stored[i]))) return stored[i]!;
  return null;
}

/** r = max(a1/a0, a0/a1) for bm25's avgdl now (a1) and at seal (a0); 1 when unchanged. */
function driftOf(db: Database.Database, meta: TopKMeta): number | null {
  const now = ftsTotals(db);
  if (now === null || now.rows === 0 || meta.rows === 0) return null;
  if (now.rows === meta.rows && now.tokens === meta.tokens) return 1;
  const a0 = meta.tokens / meta.rows;
  const a1 = now.tokens / now.rows;
  if (!(a0 > 0 && a1 > 0)) return null;
  return Math.max(a1 / a0, a0 / a1);
}

// Stored ranks use unit weights; a positive weight shared by every column of the scope scales f alike for all
// rows and does not change their order (f1·c2 vs f2·c1), so such queries can use them too.
function uniformWeights(bm25: string, columns: readonly string[]): boolean {
  if (bm25 === 'bm25(fts)') return true;
  const m = /^bm25\(fts, (.*)\)$/.exec(bm25);
  if (!m) return false;
  const weights = m[1]!.split(', ').map(Number);
  const used = columns.map((c) => weights[Number(c.slice(1))]);
  return used.every((w) => w !== undefined && w > 0 && w === used[0]);
}
