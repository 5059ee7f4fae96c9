// Counts the hits of a one-term query from the FTS5 vocabulary (per-term document counts, which honour
// contentless deletes) instead of visiting every hit: a few times cheaper for the most frequent terms.
// Only for a term the `ascii` tokenizer keeps whole, on one column or on all columns; else null.
import type Database from 'better-sqlite3';
import { asciiTokens } from '../store/topk-table.js';
import { singleTerm } from './topk-answer.js';

export type TermCounter = (match: string) => number | null;

export function vocabTermCounter(db: Database.Database, ftsColumns: number): TermCounter {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab_col USING fts5vocab(main, 'fts', 'col')");
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab_row USING fts5vocab(main, 'fts', 'row')");
  const byCol = db.prepare('SELECT doc FROM temp.fts_vocab_col WHERE term = ? AND col = ?').pluck();
  const byRow = db.prepare('SELECT doc FROM temp.fts_vocab_row WHERE term = ?').pluck();
  return (match) => {
    const q = singleTerm(match);
    if (q === null) return null;
    const tokens = asciiTokens(q.term);
    if (tokens.length !== 1 || tokens[0] !== q.term) return null;
    const columns = new Set(q.columns);
    // The row vocabulary (documents with the term anywhere) skips reading positions: prefer it when it fits.
    if (columns.size === ftsColumns) return (byRow.get(q.term) as number | undefined) ?? 0;
    if (columns.size === 1) return (byCol.get(q.term, q.columns[0]) as number | undefined) ?? 0;
    return null;
  };
}
