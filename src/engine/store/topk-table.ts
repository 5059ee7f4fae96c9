// Precomputed top-K rids of the most frequent terms, per FTS column and for all columns together, built at
// seal time; plus the `touched` set of rids the change writer has changed since (search/topk-answer.ts).
//
//   topk(cols TEXT, term TEXT, rank INTEGER, rid INTEGER, tf INTEGER, dl INTEGER, PRIMARY KEY(cols, term, rank))
//        cols = FTS column names of the scope, sorted, joined by ' ' ('t0', or 't0 t1' for all columns);
//        rank 0 is the best by single-term bm25 (unit weights), ties by rid; tf = the term's instances in the
//        scope's columns, dl = the row's tokens (bm25.ts recomputes the score from them, bit for bit).
//   topk_terms(cols TEXT, term TEXT, hits INTEGER, stored INTEGER, PRIMARY KEY(cols, term)) WITHOUT ROWID
//        hits = documents with the term in the scope at seal time; stored = rows in topk.
//   touched(rid INTEGER PRIMARY KEY)                 every rid inserted, updated or deleted after seal
//   touched_terms(term TEXT, col TEXT, rid INTEGER, tf INTEGER, PRIMARY KEY(term, col, rid)) WITHOUT ROWID
//        for touched rids that exist: their instances of every term of topk_terms, per FTS column
//   meta 'topk': {"k","minDocs","rows","tokens"}     FTS5 row count and total tokens at seal (bm25's avgdl)
import type { IndexSpec } from '../../core/schema.js';
import type { GenDb } from './generation-file.js';
import { layoutOf } from './layout.js';
import { bm25Of, docLengths, freqOf, ftsTotals, idfOf } from './bm25.js';

export interface TopKOptions {
  /** Terms in more than this many documents (of a scope) get a stored top-K. Default 10 000. */
  readonly minDocs?: number;
  /** Rids stored per term and scope. Default 1000. */
  readonly k?: number;
}

export interface TopKMeta {
  readonly k: number;
  readonly minDocs: number;
  /** FTS5 rows and total tokens (all columns) when the top-K was computed. */
  readonly rows: number;
  readonly tokens: number;
}

export interface TopKBuildStats {
  /** (scope, term) pairs stored. */
  readonly entries: number;
  /** Pairs left out because a stored score could not be reproduced exactly (then the normal plan runs). */
  readonly unverified: number;
  readonly ms: number;
}

// Terms in fewer documents rank fast enough without a stored list (≈ 30-40 ms at 50k hits on 1M rows, measured),
// and each stored term costs one full ranking at seal time.
const DEFAULT_MIN_DOCS = 50_000;
const DEFAULT_K = 1000;

/** FTS5 column scopes that get a top-K: each column, and all columns together when there are several. */
export function topKScopes(spec: IndexSpec): readonly string[] {
  const cols = layoutOf(spec).flatMap((l) => (l.ftsColumn ? [l.ftsColumn] : []));
  return cols.length > 1 ? [...cols, scopeKey(cols)] : cols;
}

export function scopeKey(columns: readonly string[]): string {
  return [...columns].sort().join(' ');
}

/** One list to compute: the top-K of `term` in the FTS columns `scope`. */
export interface TopKItem {
  readonly scope: string;
  readonly term: string;
  readonly hits: number;
}

/** What a generation's top-K needs: the lists to rank, and those that copy a single column's list. */
export interface TopKPlan {
  readonly k: number;
  readonly minDocs: number;
  readonly rows: number;
  readonly tokens: number;
  /** Lists to rank, single-column scopes first. */
  readonly rank: readonly TopKItem[];
  /** All-columns lists of terms found in one column only: they equal that column's list (same hits, same
   *  instances, same document lengths), so they are copied, not ranked. */
  readonly copy: readonly (TopKItem & { readonly from: string })[];
  readonly startedAt: number;
}

export interface StoredRow {
  readonly rid: number;
  readonly tf: number;
  readonly dl: number;
}

/** A ranked list, or null when a stored score could not be reproduced exactly (the term is left out). */
export type RankedList = readonly StoredRow[] | null;

/**
 * Creates the top-K tables (empty) of a freshly built generation and lists the work: terms in more than
 * minDocs documents of a scope (no deletes yet, so vocab counts are exact).
 */
export function planTopK(db: GenDb, spec: IndexSpec, opts: TopKOptions = {}): TopKPlan {
  const startedAt = performance.now();
  const k = opts.k ?? DEFAULT_K;
  const minDocs = opts.minDocs ?? DEFAULT_MIN_DOCS;
  db.exec(`
    CREATE TABLE IF NOT EXISTS topk (cols TEXT NOT NULL, term TEXT NOT NULL, rank INTEGER NOT NULL, rid INTEGER NOT NULL, tf INTEGER NOT NULL, dl INTEGER NOT NULL, PRIMARY KEY (cols, term, rank)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS topk_terms (cols TEXT NOT NULL, term TEXT NOT NULL, hits INTEGER NOT NULL, stored INTEGER NOT NULL, PRIMARY KEY (cols, term)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS touched (rid INTEGER PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS touched_terms (term TEXT NOT NULL, col TEXT NOT NULL, rid INTEGER NOT NULL, tf INTEGER NOT NULL, PRIMARY KEY (term, col, rid)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS touched_terms_rid ON touched_terms(rid);
    DELETE FROM topk; DELETE FROM topk_terms; DELETE FROM touched; DELETE FROM touched_terms;
    CREATE VIRTUAL TABLE temp.topk_vocab_col USING fts5vocab(main, 'fts', 'col');
    CREATE VIRTUAL TABLE temp.topk_vocab_row USING fts5vocab(main, 'fts', 'row');
  `);
  const totals = ftsTotals(db);
  const rank: TopKItem[] = [];
  const copy: (TopKItem & { from: string })[] = [];
  try {
    if (totals !== null && totals.rows > 0) {
      const byCol = db.prepare('SELECT term, doc FROM temp.topk_vocab_col WHERE col = ? AND doc > ?').raw(true);
      const byRow = db.prepare('SELECT term, doc FROM temp.topk_vocab_row WHERE doc > ?').raw(true);
      const columnsOf = db.prepare('SELECT col, doc FROM temp.topk_vocab_col WHERE term = ? AND doc > 0').raw(true);
      const ranked = new Set<string>();
      for (const scope of topKScopes(spec)) {
        const isSingle = !scope.includes(' ');
        for (const [term, hits] of (isSingle ? byCol.all(scope, minDocs) : byRow.all(minDocs)) as [string, number][]) {
          if (!isSingle) {
            const inColumns = columnsOf.all(term) as [string, number][];
            const only = inColumns.length === 1 && inColumns[0]![1] === hits ? inColumns[0]![0] : undefined;
            if (only !== undefined && ranked.has(`${only} ${term}`)) {
              copy.push({ scope, term, hits, from: only });
              continue;
            }
          }
          rank.push({ scope, term, hits });
          if (isSingle) ranked.add(`${scope} ${term}`);
        }
      }
    }
  } finally {
    db.exec('DROP TABLE temp.topk_vocab_col; DROP TABLE temp.topk_vocab_row;');
  }
  return { k, minDocs, rows: totals?.rows ?? 0, tokens: totals?.tokens ?? 0, rank, copy, startedAt };
}

/**
 * Ranks plan items on `db` (the generation itself, or a read-only connection to it in another thread): the
 * best k rids by single-term bm25 with unit weights, ties by rid; tf is recovered from each score and kept
 * only if bm25Of gives back that exact score.
 */
export function rankTopK(db: GenDb, items: readonly TopKItem[], plan: Pick<TopKPlan, 'k' | 'rows' | 'tokens'>): RankedList[] {
  const ranked = db.prepare('SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ? ORDER BY bm25(fts), rowid LIMIT ?').raw(true);
  const lengthOf = docLengths(db);
  const avgdl = plan.tokens / plan.rows;
  return items.map(({ scope, term, hits }) => {
    const top = ranked.all(`{${scope}} : (${quoteTerm(term)})`, plan.k) as [number, number][];
    const idf = idfOf(db, plan.rows, hits);
    const rows: StoredRow[] = [];
    for (const [rid, score] of top) {
      const dl = lengthOf(rid) ?? -1;
      const tf = freqOf(idf, score, dl, avgdl);
      if (dl < 0 || bm25Of(idf, tf, dl, avgdl) !== score) return null;
      rows.push({ rid, tf, dl });
    }
    return rows;
  });
}

/** Stores the ranked lists (in plan.rank order) and the copies, and the top-K meta, in one transaction. */
export function writeTopK(db: GenDb, plan: TopKPlan, lists: readonly RankedList[]): TopKBuildStats {
  let entries = 0;
  let unverified = 0;
  const putRow = db.prepare('INSERT INTO topk(cols, term, rank, rid, tf, dl) VALUES (?, ?, ?, ?, ?, ?)');
  const putTerm = db.prepare('INSERT INTO topk_terms(cols, term, hits, stored) VALUES (?, ?, ?, ?)');
  const single = new Map<string, readonly StoredRow[]>();
  const store = (scope: string, term: string, hits: number, rows: readonly StoredRow[]): void => {
    rows.forEach((r, rank) => putRow.run(scope, term, rank, r.rid, r.tf, r.dl));
    putTerm.run(scope, term, hits, rows.length);
    entries++;
  };
  db.transaction(() => {
    plan.rank.forEach((item, i) => {
      const rows = lists[i];
      if (rows === null || rows === undefined) {
        unverified++;
        return;
      }
      store(item.scope, item.term, item.hits, rows);
      if (!item.scope.includes(' ')) single.set(`${item.scope} ${item.term}`, rows);
    });
    for (const c of plan.copy) {
      const rows = single.get(`${c.from} ${c.term}`);
      if (rows) store(c.scope, c.term, c.hits, rows);
      else unverified++; // its column's list was left out
    }
    const meta: TopKMeta = { k: plan.k, minDocs: plan.minDocs, rows: plan.rows, tokens: plan.tokens };
    db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run('topk', JSON.stringify(meta));
  })();
  return { entries, unverified, ms: performance.now() - plan.startedAt };
}

/** Computes the top-K tables of a freshly built generation in this thread. */
export function buildTopK(db: GenDb, spec: IndexSpec, opts: TopKOptions = {}): TopKBuildStats {
  const plan = planTopK(db, spec, opts);
  return writeTopK(db, plan, plan.rows > 0 ? rankTopK(db, plan.rank, plan) : []);
}

/** The same quoting as query/fts-expr.ts, so stored terms and query expressions agree. */
export function quoteTerm(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

export function readTopKMeta(db: GenDb): TopKMeta | null {
  const hasTables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('topk', 'topk_terms', 'touched', 'touched_terms')").pluck().get() === 4;
  if (!hasTables) return null;
  const v = db.prepare("SELECT value FROM meta WHERE key = 'topk'").pluck().get() as string | undefined;
  return v === undefined ? null : (JSON.parse(v) as TopKMeta);
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
