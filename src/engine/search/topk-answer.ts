// Answers the first ranked rows of a one-term query from the generation's stored top-K (store/topk-table.ts)
// instead of ranking every hit. The answer is exact or not given (the caller then runs the normal plan):
//  - candidates = stored top-K rows not touched since seal (their tf and length are stored) ∪ touched rows
//    that now hold the term (the writer recorded their tf); each is scored with FTS5's bm25 reproduced bit for
//    bit (store/bm25.ts) from the current row count, token total and hit count, and ordered by (score, rid),
//    so scores and order are those of the normal plan;
//  - a document that is not a candidate is untouched and was ranked, when the list was (at seal or later, in
//    the background), after every stored rid; in particular after the "sentinel", the lowest stored rid that
//    is still untouched. bm25 is idf·f(k1+1)/(f + k1(1-b+b·D/avgdl)): idf is common to all rows of the query
//    and f, D of untouched rows do not change, so only avgdl moves. If avgdl is unchanged, untouched rows keep
//    their order and every candidate ranked before the sentinel is exact. If avgdl moved from a0 (when the
//    list was ranked) to a1, a row's score can grow by at most r = max(a1/a0, a0/a1) relative to the
//    sentinel's, so a row is exact when its score exceeds
//    r × the sentinel's. The page is answered only when all its rows pass; documents added or changed after
//    seal are candidates themselves (touched), deleted ones are dropped.
// Costs a few small indexed reads, no pass over the term's hits (the hit count comes from the caller).
// The list is not refreshed while the generation lives: as changes accumulate, avgdl drift and touched rows
// make more pages decline (then the normal plan answers), and once more than K touched rows hold the term the
// change writer retires the list (store/topk-tracker.ts); the next full build seals a fresh list.
import type Database from 'better-sqlite3';
import { bm25Of, docLengths, ftsTotals, idfOf } from '../store/bm25.js';
import { readTopKMeta, scopeKey } from '../store/topk-table.js';

export interface TopKAnswerer {
  /**
   * The first `limit` rows [rid, bm25] of `match` (which has `hits` hits now) ordered by (bm25, rid), or
   * null when they cannot be vouched for. `hits` may be a function: it is then called only for a term the
   * top-K holds (counting the hits of a term it does not hold would be wasted).
   */
  page(match: string, bm25: string, limit: number, hits: number | (() => number)): [bigint, number][] | null;
}

// `{t0 t1} : ("term")`, as the compiler writes one term on one or more fields; the planner may wrap it in ().
const SINGLE_TERM = /^\{(t\d+(?: t\d+)*)\} : \("((?:[^"]|"")+)"\)$/;
const EPSILON = 1e-9;

/** An answerer for the generation behind `db`, or null when it was sealed without a top-K table. */
export function topKAnswerer(db: Database.Database): TopKAnswerer | null {
  const meta = readTopKMeta(db);
  if (meta === null) return null;
  // stored < 0: the list is planned and not ranked yet (the normal plan answers meanwhile).
  const termRow = db.prepare('SELECT hits, stored, rows, tokens FROM topk_terms WHERE cols = ? AND term = ?');
  // Stored rows still as sealed (untouched), best first; touched rows that hold the term now (at most K+1).
  const storedRows = db.prepare('SELECT rid, tf, dl FROM topk WHERE cols = ? AND term = ? AND rid NOT IN (SELECT rid FROM touched) ORDER BY rank').raw(true);
  const touchedTerm = db.prepare('SELECT rid, sum(tf) FROM touched_terms WHERE term = ? AND col IN (SELECT value FROM json_each(?)) GROUP BY rid LIMIT ?').raw(true);
  const lengthOf = docLengths(db);

  const answer = (match: string, bm25: string, limit: number, hitsOf: number | (() => number)): [bigint, number][] | null => {
    const q = singleTerm(match);
    if (q === null) return null;
    const { columns, term } = q;
    const weight = uniformWeight(bm25, columns);
    if (/\s/.test(term) || weight === null) return null;
    const scope = scopeKey(columns);
    const entry = termRow.get(scope, term) as TermEntry | undefined;
    if (!entry || entry.stored < 0 || (limit > entry.stored && entry.stored < entry.hits)) return null;
    const totals = ftsTotals(db);
    if (totals === null || totals.rows === 0) return null;
    const avgdl = totals.tokens / totals.rows;
    const hits = typeof hitsOf === 'number' ? hitsOf : hitsOf();
    const idf = idfOf(db, totals.rows, hits);
    const changed = touchedTerm.all(term, JSON.stringify(columns), meta.k + 1) as [number, number][];
    if (changed.length > meta.k) return null; // so many changed rows hold the term that the list no longer pays
    const fresh = changed.map(([rid, tf]): [number, number, number] => [rid, tf, lengthOf(rid) ?? -1]);
    if (fresh.some(([, , dl]) => dl < 0)) return null;
    const stored = storedRows.all(scope, term) as [number, number, number][];
    const rows = [...stored, ...fresh].map(([rid, tf, dl]): [number, number] => [rid, bm25Of(idf, freqWeighted(tf, weight), dl, avgdl)]);
    rows.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const page = rows.slice(0, limit).map(([rid, score]): [bigint, number] => [BigInt(rid), score]);
    if (entry.stored >= entry.hits) return page; // every seal-time hit is a candidate
    const sentinel = stored.length ? stored[stored.length - 1]![0] : null;
    if (sentinel === null) return null;
    const at = rows.findIndex((r) => r[0] === sentinel);
    const drift = driftOf(totals, entry);
    // Unit weights and the totals of the ranking: the stored order is FTS5's own, bit for bit. A weight shared
    // by the scope's columns keeps the order only in exact arithmetic: rows whose scores tie there (different
    // tf and length, e.g. 6 in 10 tokens and 4 in 6) can round either way once f is scaled, so the page must
    // clear the sentinel by a margin, as under drift (found by the property test: qf 2.5 put rid 3 before 11).
    if (drift === 1 && weight === 1) return limit <= at + 1 ? page : null;
    const bar = -rows[at]![1] * drift * (1 + EPSILON);
    return page.length === limit && page.every((r) => -r[1] > bar) ? page : null;
  };

  return {
    page(match, bm25, limit, hits) {
      // Most terms have no stored list: one indexed read says so without opening a transaction (~0.2 ms).
      const q = singleTerm(match);
      if (q === null || termRow.get(scopeKey(q.columns), q.term) === undefined) return null;
      // One read transaction: stored, touched and totals come from one commit. `hits` is counted by the
      // caller just before, as the normal plan's count is a separate statement from its page too.
      return db.transaction(() => answer(match, bm25, limit, hits))();
    },
  };
}

/** The FTS columns and the term of `{t0 t1} : ("term")` (optionally in parentheses), else null. */
export function singleTerm(match: string): { readonly columns: readonly string[]; readonly term: string } | null {
  const m = SINGLE_TERM.exec(match) ?? (match.startsWith('(') && match.endsWith(')') ? SINGLE_TERM.exec(match.slice(1, -1)) : null);
  return m ? { columns: m[1]!.split(' '), term: m[2]!.replaceAll('""', '"') } : null;
}

// FTS5 adds the column weight once per instance; the same additions give the same double.
function freqWeighted(tf: number, weight: number): number {
  if (weight === 1) return tf;
  let f = 0;
  for (let i = 0; i < tf; i++) f += weight;
  return f;
}

/** A planned list: stored < 0 while pending; rows and tokens are the FTS5 totals it was ranked at. */
interface TermEntry {
  readonly hits: number;
  readonly stored: number;
  readonly rows: number;
  readonly tokens: number;
}

/** r = max(a1/a0, a0/a1) for bm25's avgdl now (a1) and when the list was ranked (a0); 1 when unchanged. */
function driftOf(now: { rows: number; tokens: number }, ranked: TermEntry): number {
  if (now.rows === ranked.rows && now.tokens === ranked.tokens) return 1;
  const a0 = ranked.tokens / ranked.rows;
  const a1 = now.tokens / now.rows;
  return Math.max(a1 / a0, a0 / a1);
}

// Stored ranks use unit weights; a positive weight shared by every column of the scope scales f alike for all
// rows and does not change their order (f1·c2 vs f2·c1), so such queries can use them too.
function uniformWeight(bm25: string, columns: readonly string[]): number | null {
  if (bm25 === 'bm25(fts)' || bm25 === 'tsrank(fts)') return 1;
  const m = /^(?:bm25|tsrank)\(fts, (.*)\)$/.exec(bm25);
  if (!m) return null;
  const weights = m[1]!.split(', ').map(Number);
  const used = columns.map((c) => weights[Number(c.slice(1))] ?? 1);
  return used.every((w) => Number.isFinite(w) && w > 0 && w === used[0]) ? used[0]! : null;
}
