// Precomputed top-K rids of the most frequent terms, per FTS column and for all columns together, planned at
// seal time and ranked then or later; plus the `touched` set of rids the change writer has changed since seal
// (search/topk-answer.ts).
//
//   topk(cols TEXT, term TEXT, rank INTEGER, rid INTEGER, tf INTEGER, dl INTEGER, PRIMARY KEY(cols, term, rank))
//        cols = FTS column names of the scope, sorted, joined by ' ' ('t0', or 't0 t1' for all columns);
//        rank 0 is the best by single-term bm25 (unit weights), ties by rid; tf = the term's instances in the
//        scope's columns, dl = the row's tokens (bm25.ts recomputes the score from them, bit for bit).
//   topk_terms(cols TEXT, term TEXT, hits INTEGER, stored INTEGER, rows INTEGER, tokens INTEGER, copy_of TEXT,
//              PRIMARY KEY(cols, term)) WITHOUT ROWID
//        one row per planned list. stored = rows in topk, or -1 while the list is PENDING (planned at seal,
//        ranked later: in the background after the generation is live, see pipeline/topk-ranking.ts);
//        hits, rows, tokens = the term's documents in the scope, the FTS5 row count and the total tokens in
//        the snapshot the list was ranked in (bm25's idf and avgdl then); copy_of = the single column whose
//        list an all-columns list copies (the term occurs in that column only), else NULL.
//   touched(rid INTEGER PRIMARY KEY, held TEXT)      every rid inserted, updated or deleted after seal while a list
//        is left; held = its touched_terms rows' `term<TAB>col`, one per line, NULL for none (tokens hold no whitespace)
//   touched_terms(term TEXT, col TEXT, rid INTEGER, tf INTEGER, PRIMARY KEY(term, col, rid)) WITHOUT ROWID
//        for touched rids that exist: their instances of every term of topk_terms (pending ones included),
//        per FTS column. A term more than k touched rows hold loses its list and these rows (topk-tracker.ts).
//   meta 'topk': {"k","minDocs"}
//   meta 'topk_untracked': present once rows changed without being touched: by a catch-up writer while every list
//        was pending (topk-tracker.ts), so the hit counts planned at seal are not to be trusted
//
// A list ranked after seal is as exact as one ranked at seal: rows changed between seal and its snapshot are
// touched (the answer reads them from touched_terms), the others are as they were at seal, and its own
// totals say which avgdl its order holds for.
import type { IndexSpec } from '../../core/schema.js';
import type { GenDb } from './generation-file.js';
import { layoutOf } from './layout.js';
import { bm25Of, docLengths, freqOf, ftsTotals, idfOf } from './bm25.js';
import { loadRankFunction } from './rank-extension.js';

export interface TopKOptions {
  /** Terms in more than this many documents (of a scope) get a stored top-K. Default 10 000. */
  readonly minDocs?: number;
  /** Rids stored per term and scope. Default 1000. */
  readonly k?: number;
}

export interface TopKMeta {
  readonly k: number;
  readonly minDocs: number;
}

export interface TopKBuildStats {
  /** (scope, term) pairs stored. */
  readonly entries: number;
  /** Pairs left out because a stored score could not be reproduced exactly (then the normal plan runs). */
  readonly unverified: number;
  readonly ms: number;
}

// Terms in fewer documents rank fast enough without a stored list (≈ 30-40 ms at 50k hits on 1M rows, measured),
// and each stored term costs one full ranking (after the swap, in the background: pipeline/topk-ranking.ts).
export const DEFAULT_MIN_DOCS = 50_000;
const DEFAULT_K = 1000;

/** FTS5 column scopes that get a top-K: each column, and all columns together when there are several. */
export function topKScopes(spec: IndexSpec): readonly string[] {
  const cols = layoutOf(spec).flatMap((l) => (l.ftsColumn ? [l.ftsColumn] : []));
  return cols.length > 1 ? [...cols, scopeKey(cols)] : cols;
}

export function scopeKey(columns: readonly string[]): string {
  return [...columns].sort().join(' ');
}

/** One list to compute: the top-K of `term` in the FTS columns `scope`, and the all-columns scopes that copy it. */
export interface TopKItem {
  readonly scope: string;
  readonly term: string;
  /** Documents with the term in the scope when planned. */
  readonly hits: number;
  /** All-columns scopes whose list equals this single column's list (the term occurs in no other column). */
  readonly copies: readonly { readonly scope: string; readonly hits: number }[];
}

/** What a generation's top-K needs: the lists to rank (single-column scopes first). */
export interface TopKPlan {
  readonly k: number;
  readonly minDocs: number;
  /** FTS5 rows and total tokens when planned: a list ranked while they are unchanged and nothing was touched
   *  uses the planned hit counts instead of counting again. */
  readonly rows: number;
  readonly tokens: number;
  readonly rank: readonly TopKItem[];
  readonly startedAt: number;
}

export interface StoredRow {
  readonly rid: number;
  readonly tf: number;
  readonly dl: number;
}

/** A ranked list and the snapshot it was ranked in, or null when a stored score could not be reproduced
 *  exactly (the term is left out). */
export type RankedList = {
  readonly rows: readonly StoredRow[];
  readonly hits: number;
  readonly totalRows: number;
  readonly totalTokens: number;
} | null;

/**
 * Document counts of terms, per FTS column and in all columns together ("rows"): what a plan decides on.
 * Shards' counts add up (their rowids are disjoint).
 */
export interface TermCounts {
  readonly cols: Map<string, Map<string, number>>;
  readonly rows: Map<string, number>;
}

/**
 * The counts of every term that may be in more than `floor` documents: one pass over the per-column
 * vocabulary (Σ of a term's column counts bounds its row count from above), and for the few such terms found
 * in several columns, their row count. A term absent from the result is in at most `floor` documents.
 */
export function frequentTermCounts(db: GenDb, floor: number): TermCounts {
  return withVocab(db, (v) => {
    const cols = new Map<string, Map<string, number>>();
    const rows = new Map<string, number>();
    let term: string | null = null;
    let perCol = new Map<string, number>();
    let sum = 0;
    const flush = () => {
      if (term === null || sum <= floor) return;
      cols.set(term, perCol);
      rows.set(term, perCol.size === 1 ? sum : v.rowDoc(term));
    };
    for (const [t, col, doc] of v.all()) {
      if (t !== term) {
        flush();
        term = t;
        perCol = new Map();
        sum = 0;
      }
      perCol.set(col, doc);
      sum += doc;
    }
    flush();
    return { cols, rows };
  });
}

/** The exact counts of the given terms (small lookups for terms that are rare here). */
export function termCounts(db: GenDb, terms: Iterable<string>): TermCounts {
  return withVocab(db, (v) => {
    const cols = new Map<string, Map<string, number>>();
    const rows = new Map<string, number>();
    for (const term of terms) {
      const perCol = v.colDocs(term);
      if (perCol.size === 0) continue;
      cols.set(term, perCol);
      rows.set(term, perCol.size === 1 ? [...perCol.values()][0]! : v.rowDoc(term));
    }
    return { cols, rows };
  });
}

/** Adds `from` into `into`. */
export function addTermCounts(into: TermCounts, from: TermCounts): void {
  for (const [term, perCol] of from.cols) {
    const mine = into.cols.get(term) ?? new Map<string, number>();
    for (const [col, n] of perCol) mine.set(col, (mine.get(col) ?? 0) + n);
    into.cols.set(term, mine);
  }
  for (const [term, n] of from.rows) into.rows.set(term, (into.rows.get(term) ?? 0) + n);
}

function withVocab<T>(db: GenDb, use: (v: { all(): IterableIterator<[string, string, number]>; colDocs(term: string): Map<string, number>; rowDoc(term: string): number }) => T): T {
  db.exec(`CREATE VIRTUAL TABLE temp.topk_vocab_col USING fts5vocab(main, 'fts', 'col'); CREATE VIRTUAL TABLE temp.topk_vocab_row USING fts5vocab(main, 'fts', 'row');`);
  try {
    const all = db.prepare('SELECT term, col, doc FROM temp.topk_vocab_col').raw(true);
    const colDocs = db.prepare('SELECT col, doc FROM temp.topk_vocab_col WHERE term = ?').raw(true);
    const rowDoc = db.prepare('SELECT doc FROM temp.topk_vocab_row WHERE term = ?').pluck();
    return use({
      all: () => all.iterate() as IterableIterator<[string, string, number]>,
      colDocs: (term) => new Map(colDocs.all(term) as [string, number][]),
      rowDoc: (term) => (rowDoc.get(term) as number | undefined) ?? 0,
    });
  } finally {
    db.exec('DROP TABLE temp.topk_vocab_col; DROP TABLE temp.topk_vocab_row;');
  }
}

/**
 * Creates the top-K tables of a freshly built generation and plans the work: terms in more than minDocs
 * documents of a scope (no deletes yet, so vocab counts are exact). `counts` are the terms' counts when
 * already known (from the build's shards, pipeline/full-build.ts); otherwise the vocabulary is read here.
 * Every planned list is recorded as pending, so the change writer tracks its term from now on, whenever the
 * list is ranked.
 */
export function planTopK(db: GenDb, spec: IndexSpec, opts: TopKOptions = {}, counts?: TermCounts): TopKPlan {
  const startedAt = performance.now();
  const k = opts.k ?? DEFAULT_K;
  const minDocs = opts.minDocs ?? DEFAULT_MIN_DOCS;
  db.exec(`
    CREATE TABLE IF NOT EXISTS topk (cols TEXT NOT NULL, term TEXT NOT NULL, rank INTEGER NOT NULL, rid INTEGER NOT NULL, tf INTEGER NOT NULL, dl INTEGER NOT NULL, PRIMARY KEY (cols, term, rank)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS topk_terms (cols TEXT NOT NULL, term TEXT NOT NULL, hits INTEGER NOT NULL, stored INTEGER NOT NULL, rows INTEGER, tokens INTEGER, copy_of TEXT, PRIMARY KEY (cols, term)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS touched (rid INTEGER PRIMARY KEY, held TEXT);
    CREATE TABLE IF NOT EXISTS touched_terms (term TEXT NOT NULL, col TEXT NOT NULL, rid INTEGER NOT NULL, tf INTEGER NOT NULL, PRIMARY KEY (term, col, rid)) WITHOUT ROWID;
    DELETE FROM topk; DELETE FROM topk_terms; DELETE FROM touched; DELETE FROM touched_terms; DELETE FROM meta WHERE key = '${UNTRACKED_KEY}';
  `);
  const totals = ftsTotals(db);
  const rank: { scope: string; term: string; hits: number; copies: { scope: string; hits: number }[] }[] = [];
  if (totals !== null && totals.rows > 0) {
    const c = counts ?? frequentTermCounts(db, minDocs);
    const scopes = new Set(topKScopes(spec));
    const all = [...scopes].find((s) => s.includes(' '));
    for (const [term, perCol] of c.cols) {
      const single = new Map<string, (typeof rank)[number]>();
      for (const [col, hits] of perCol) {
        if (hits <= minDocs || !scopes.has(col)) continue;
        const item = { scope: col, term, hits, copies: [] };
        rank.push(item);
        single.set(col, item);
      }
      const hits = c.rows.get(term) ?? 0;
      if (all === undefined || hits <= minDocs) continue;
      // In one column only: the all-columns list equals that column's list (same hits, instances, lengths).
      const only = [...perCol].filter(([, n]) => n > 0);
      const from = only.length === 1 && only[0]![1] === hits ? single.get(only[0]![0]) : undefined;
      if (from) from.copies.push({ scope: all, hits });
      else rank.push({ scope: all, term, hits, copies: [] });
    }
    rank.sort((a, b) => Number(a.scope.includes(' ')) - Number(b.scope.includes(' ')) || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0) || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  }
  const pending = db.prepare('INSERT INTO topk_terms(cols, term, hits, stored, copy_of) VALUES (?, ?, ?, -1, ?)');
  db.transaction(() => {
    for (const item of rank) {
      pending.run(item.scope, item.term, item.hits, null);
      for (const c of item.copies) pending.run(c.scope, item.term, c.hits, item.scope);
    }
    const meta: TopKMeta = { k, minDocs };
    db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run('topk', JSON.stringify(meta));
  })();
  return { k, minDocs, rows: totals?.rows ?? 0, tokens: totals?.tokens ?? 0, rank, startedAt };
}

/** The lists planned and not ranked yet (after a restart, or for the background ranking), as a plan. */
export function pendingTopK(db: GenDb): TopKPlan | null {
  const meta = readTopKMeta(db);
  if (meta === null) return null;
  const rows = db.prepare('SELECT cols, term, hits, copy_of FROM topk_terms WHERE stored < 0').raw(true).all() as [string, string, number, string | null][];
  // A copy holds while the term is in one column only. Rows changed untracked may have put it in another since
  // seal, and are not touched (the answer would not correct for them): then every list is ranked on its own.
  const copies = db.prepare(`SELECT count(*) FROM meta WHERE key = '${UNTRACKED_KEY}'`).pluck().get() === 0;
  const items = new Map<string, { scope: string; term: string; hits: number; copies: { scope: string; hits: number }[] }>();
  for (const [scope, term, hits, copyOf] of rows) if (copyOf === null || !copies) items.set(`${scope} ${term}`, { scope, term, hits, copies: [] });
  for (const [scope, term, hits, copyOf] of rows) {
    if (copyOf === null || !copies) continue;
    const from = items.get(`${copyOf} ${term}`);
    if (from) from.copies.push({ scope, hits });
    else items.set(`${scope} ${term}`, { scope, term, hits, copies: [] }); // its column's list is done: rank it
  }
  const totals = ftsTotals(db);
  const rank = [...items.values()].sort((a, b) => Number(a.scope.includes(' ')) - Number(b.scope.includes(' ')));
  return { k: meta.k, minDocs: meta.minDocs, rows: totals?.rows ?? 0, tokens: totals?.tokens ?? 0, rank, startedAt: performance.now() };
}

/**
 * Ranks plan items on `db` (the generation itself, or a read-only connection to it in another thread, also
 * while the generation is live and changing): the best k rids by single-term bm25 with unit weights, ties by
 * rid; tf is recovered from each score and kept only if bm25Of gives back that exact score. Each list is
 * ranked in one read transaction with the totals and hit count of that snapshot.
 */
export function rankTopK(db: GenDb, items: readonly TopKItem[], plan: Pick<TopKPlan, 'k' | 'rows' | 'tokens'>): RankedList[] {
  // tsrank gives bm25's scores bit for bit, with lengths in memory (rank-extension.ts).
  const fn = loadRankFunction(db);
  const ranked = db.prepare(`SELECT rowid, ${fn}(fts) FROM fts WHERE fts MATCH ? ORDER BY ${fn}(fts), rowid LIMIT ?`).raw(true);
  const count = db.prepare('SELECT count(*) FROM fts WHERE fts MATCH ?').pluck();
  const changedSincePlan = db.prepare(`SELECT EXISTS (SELECT 1 FROM touched) OR EXISTS (SELECT 1 FROM meta WHERE key = '${UNTRACKED_KEY}')`).pluck();
  const lengthOf = docLengths(db);
  return items.map(({ scope, term, hits: planned }) =>
    db.transaction((): RankedList => {
      const totals = ftsTotals(db);
      if (totals === null || totals.rows === 0) return null;
      const expr = `{${scope}} : (${quoteTerm(term)})`;
      const unchanged = totals.rows === plan.rows && totals.tokens === plan.tokens && changedSincePlan.get() === 0;
      const hits = unchanged ? planned : (count.get(expr) as number);
      const top = ranked.all(expr, plan.k) as [number, number][];
      const idf = idfOf(db, totals.rows, hits);
      const avgdl = totals.tokens / totals.rows;
      const rows: StoredRow[] = [];
      for (const [rid, score] of top) {
        const dl = lengthOf(rid) ?? -1;
        const tf = freqOf(idf, score, dl, avgdl);
        if (dl < 0 || bm25Of(idf, tf, dl, avgdl) !== score) return null;
        rows.push({ rid, tf, dl });
      }
      return { rows, hits, totalRows: totals.rows, totalTokens: totals.tokens };
    })(),
  );
}

/**
 * Stores ranked lists (lists[i] for items[i]) and their copies in one transaction; a list left out (null) is
 * dropped from topk_terms, so queries of its term run the normal plan.
 */
export function writeTopK(db: GenDb, items: readonly TopKItem[], lists: readonly RankedList[]): { entries: number; unverified: number; retired: number } {
  let entries = 0;
  let unverified = 0;
  let retired = 0;
  const putRow = db.prepare('INSERT INTO topk(cols, term, rank, rid, tf, dl) VALUES (?, ?, ?, ?, ?, ?)');
  const done = db.prepare('UPDATE topk_terms SET hits = ?, stored = ?, rows = ?, tokens = ? WHERE cols = ? AND term = ?');
  const drop = db.prepare('DELETE FROM topk_terms WHERE cols = ? AND term = ?');
  db.transaction(() => {
    items.forEach((item, i) => {
      const list = lists[i];
      for (const scope of [item.scope, ...item.copies.map((c) => c.scope)]) {
        if (list === null || list === undefined) {
          drop.run(scope, item.term);
          unverified++;
          continue;
        }
        // A copy's hits: its term occurs in this column only, so its all-columns hits are this column's. A list
        // the change writer retired while it was being ranked (topk-tracker.ts) has no row left to complete.
        if (done.run(list.hits, list.rows.length, list.totalRows, list.totalTokens, scope, item.term).changes === 0) {
          retired++;
          continue;
        }
        list.rows.forEach((r, rank) => putRow.run(scope, item.term, rank, r.rid, r.tf, r.dl));
        entries++;
      }
    });
  })();
  return { entries, unverified, retired };
}

/** Computes the top-K tables of a freshly built generation in this thread. */
export function buildTopK(db: GenDb, spec: IndexSpec, opts: TopKOptions = {}): TopKBuildStats {
  const plan = planTopK(db, spec, opts);
  const stats = writeTopK(db, plan.rank, rankTopK(db, plan.rank, plan));
  return { ...stats, ms: performance.now() - plan.startedAt };
}

/** The same quoting as query/fts-expr.ts, so stored terms and query expressions agree. */
export function quoteTerm(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

export function readTopKMeta(db: GenDb): TopKMeta | null {
  const hasTables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('topk', 'topk_terms', 'touched', 'touched_terms')").pluck().get() === 4;
  // Files sealed before lists carried their own totals have no topk_terms.rows: their lists are not used.
  if (!hasTables || db.prepare("SELECT count(*) FROM pragma_table_info('topk_terms') WHERE name = 'rows'").pluck().get() !== 1) return null;
  const v = db.prepare("SELECT value FROM meta WHERE key = 'topk'").pluck().get() as string | undefined;
  return v === undefined ? null : (JSON.parse(v) as TopKMeta);
}

/** meta key: lists the change writer has retired since seal (topk-tracker.ts). */
export const RETIRED_KEY = 'topk_retired';

/** meta key: rows changed after seal without being touched (topk-tracker.ts, a catch-up while all lists were pending). */
export const UNTRACKED_KEY = 'topk_untracked';

export interface TopKCounts {
  readonly ranked: number;
  readonly pending: number;
  /** Retired by the change writer since seal: more than k changed rows hold their terms. */
  readonly retired: number;
}

/** Reads how many lists are ranked, pending and retired; null for a file without top-K tables. */
export function countTopK(db: GenDb): (() => TopKCounts) | null {
  if (readTopKMeta(db) === null) return null;
  const stmt = db.prepare(
    `SELECT count(*) FILTER (WHERE stored >= 0) AS ranked, count(*) FILTER (WHERE stored < 0) AS pending, (SELECT COALESCE(CAST(value AS INTEGER), 0) FROM meta WHERE key = '${RETIRED_KEY}') AS retired FROM topk_terms`,
  );
  return () => {
    const r = stmt.get() as { ranked: number; pending: number; retired: number | null };
    return { ranked: r.ranked, pending: r.pending, retired: r.retired ?? 0 };
  };
}

/**
 * Tokens as FTS5's `ascii` tokenizer reads a column text: runs of ASCII letters/digits and non-ASCII
 * characters, ASCII letters folded to lower case (the change writer counts frequent terms with it).
 */
export function asciiTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[0-9A-Za-z\u0080-\u{10ffff}]+/gu)) out.push(m[0].replace(/[A-Z]+/g, (u) => u.toLowerCase()));
  return out;
}
