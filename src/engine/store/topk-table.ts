// Precomputed top-K rids of the most frequent terms, per FTS column and for all columns together, built at
// seal time; plus the `touched` set of rids the change writer has changed since (search/topk-answer.ts).
//
//   topk(cols TEXT, term TEXT, rank INTEGER, rid INTEGER, PRIMARY KEY(cols, term, rank)) WITHOUT ROWID
//        cols = FTS column names of the scope, sorted, joined by ' ' ('t0', or 't0 t1' for all columns);
//        rank 0 is the best by single-term bm25 (unit weights), ties by rid.
//   topk_terms(cols TEXT, term TEXT, hits INTEGER, stored INTEGER, PRIMARY KEY(cols, term)) WITHOUT ROWID
//        hits = documents with the term in the scope at seal time; stored = rows in topk.
//   touched(rid INTEGER PRIMARY KEY)                 every rid inserted, updated or deleted after seal
//   meta 'topk': {"k","minDocs","rows","tokens"}     FTS5 row count and total tokens at seal (bm25's avgdl)
import type { IndexSpec } from '../../core/schema.js';
import type { GenDb } from './generation-file.js';
import { layoutOf } from './layout.js';

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
  readonly entries: number;
  readonly ms: number;
}

const DEFAULT_MIN_DOCS = 10_000;
const DEFAULT_K = 1000;

/** FTS5 column scopes that get a top-K: each column, and all columns together when there are several. */
export function topKScopes(spec: IndexSpec): readonly string[] {
  const cols = layoutOf(spec).flatMap((l) => (l.ftsColumn ? [l.ftsColumn] : []));
  return cols.length > 1 ? [...cols, scopeKey(cols)] : cols;
}

export function scopeKey(columns: readonly string[]): string {
  return [...columns].sort().join(' ');
}

/** Computes the top-K tables of a freshly built generation (no deletes yet, so vocab counts are exact). */
export function buildTopK(db: GenDb, spec: IndexSpec, opts: TopKOptions = {}): TopKBuildStats {
  const t0 = performance.now();
  const k = opts.k ?? DEFAULT_K;
  const minDocs = opts.minDocs ?? DEFAULT_MIN_DOCS;
  db.exec(`
    CREATE TABLE IF NOT EXISTS topk (cols TEXT NOT NULL, term TEXT NOT NULL, rank INTEGER NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (cols, term, rank)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS topk_terms (cols TEXT NOT NULL, term TEXT NOT NULL, hits INTEGER NOT NULL, stored INTEGER NOT NULL, PRIMARY KEY (cols, term)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS touched (rid INTEGER PRIMARY KEY);
    DELETE FROM topk; DELETE FROM topk_terms; DELETE FROM touched;
    CREATE VIRTUAL TABLE temp.topk_vocab_col USING fts5vocab(main, 'fts', 'col');
    CREATE VIRTUAL TABLE temp.topk_vocab_row USING fts5vocab(main, 'fts', 'row');
  `);
  let entries = 0;
  try {
    const byCol = db.prepare('SELECT term, doc FROM temp.topk_vocab_col WHERE col = ? AND doc > ?').raw(true);
    const byRow = db.prepare('SELECT term, doc FROM temp.topk_vocab_row WHERE doc > ?').raw(true);
    const putRow = db.prepare('INSERT INTO topk(cols, term, rank, rid) VALUES (?, ?, ?, ?)');
    const putTerm = db.prepare('INSERT INTO topk_terms(cols, term, hits, stored) VALUES (?, ?, ?, ?)');
    const ranked = db.prepare('SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts), rowid LIMIT ?').pluck();
    const scopes = topKScopes(spec);
    db.transaction(() => {
      for (const scope of scopes) {
        const single = !scope.includes(' ');
        const frequent = (single ? byCol.all(scope, minDocs) : byRow.all(minDocs)) as [string, number][];
        for (const [term, hits] of frequent) {
          const rids = ranked.all(`{${scope}} : (${quoteTerm(term)})`, k) as number[];
          rids.forEach((rid, rank) => putRow.run(scope, term, rank, rid));
          putTerm.run(scope, term, hits, rids.length);
          entries++;
        }
      }
      const totals = ftsTotals(db);
      const meta: TopKMeta = { k, minDocs, rows: totals?.rows ?? 0, tokens: totals?.tokens ?? 0 };
      db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run('topk', JSON.stringify(meta));
    })();
  } finally {
    db.exec('DROP TABLE temp.topk_vocab_col; DROP TABLE temp.topk_vocab_row;');
  }
  return { entries, ms: performance.now() - t0 };
}

/** The same quoting as query/fts-expr.ts, so stored terms and query expressions agree. */
export function quoteTerm(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

export function readTopKMeta(db: GenDb): TopKMeta | null {
  const hasTables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('topk', 'topk_terms', 'touched')").pluck().get() === 3;
  if (!hasTables) return null;
  const v = db.prepare("SELECT value FROM meta WHERE key = 'topk'").pluck().get() as string | undefined;
  return v === undefined ? null : (JSON.parse(v) as TopKMeta);
}

/**
 * FTS5's row count and total token count (what bm25 derives avgdl from), read from the index's "averages"
 * record (fts_data id 1: SQLite varints nRow, then one total per column). Null if it cannot be read.
 */
export function ftsTotals(db: GenDb): { rows: number; tokens: number } | null {
  const blob = db.prepare('SELECT block FROM fts_data WHERE id = 1').pluck().get() as Buffer | undefined;
  if (!blob) return null;
  const values: number[] = [];
  let i = 0;
  while (i < blob.length) {
    let v = 0;
    let n = 0;
    for (;;) {
      if (i >= blob.length) return null;
      const b = blob[i++]!;
      if (n === 8) {
        v = v * 256 + b;
        break;
      }
      v = v * 128 + (b & 0x7f);
      n++;
      if ((b & 0x80) === 0) break;
    }
    values.push(v);
  }
  if (values.length < 2) return null;
  return { rows: values[0]!, tokens: values.slice(1).reduce((a, b) => a + b, 0) };
}
