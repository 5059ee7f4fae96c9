// FTS5's built-in bm25() for one single-term phrase, reproduced operation for operation (same constants, same
// order of double arithmetic, idf through SQLite's own ln()) so that scores computed here are bit-identical
// to the SQL function's; topk-table.ts checks that on every stored entry. Also the inputs FTS5 keeps: the
// averages record (row and token totals) and per-row sizes (fts_docsize), decoded from SQLite varints.
import type Database from 'better-sqlite3';

const K1 = 1.2;
const B = 0.75;

/** idf as fts5Bm25GetData computes it: log((N - nHit + 0.5) / (nHit + 0.5)), at least 1e-6. */
export function idfOf(db: Database.Database, rows: number, hits: number): number {
  const idf = db.prepare('SELECT ln((? - ? + 0.5) / (? + 0.5))').pluck().get(rows, hits, hits) as number | null;
  return idf === null || idf <= 0 ? 1e-6 : idf;
}

/** bm25() of a row: `freq` = Σ column weight over the term's instances in the row, `dl` = the row's tokens. */
export function bm25Of(idf: number, freq: number, dl: number, avgdl: number): number {
  let score = 0.0;
  score += idf * ((freq * (K1 + 1.0)) / (freq + K1 * (1 - B + (B * dl) / avgdl)));
  return -1.0 * score;
}

/** The term frequency whose bm25Of is `bm25` (inverse of bm25Of, rounded to a whole count). */
export function freqOf(idf: number, bm25: number, dl: number, avgdl: number): number {
  const g = -bm25 / idf;
  const c = K1 * (1 - B + (B * dl) / avgdl);
  return Math.round((g * c) / (K1 + 1 - g));
}

/** FTS5's "averages" record (fts_data id 1): nRow, then per-column token totals; null if unreadable. */
export function ftsTotals(db: Database.Database): { rows: number; tokens: number } | null {
  const blob = db.prepare('SELECT block FROM fts_data WHERE id = 1').pluck().get() as Buffer | undefined;
  const values = blob ? varints(blob) : null;
  if (values === null || values.length < 2) return null;
  return { rows: values[0]!, tokens: values.slice(1).reduce((a, b) => a + b, 0) };
}

/** Reads rows' token counts (all columns) from fts_docsize. */
export function docLengths(db: Database.Database): (rid: number | bigint) => number | null {
  const stmt = db.prepare('SELECT sz FROM fts_docsize WHERE id = ?').pluck();
  return (rid) => {
    const blob = stmt.get(rid) as Buffer | undefined;
    const values = blob ? varints(blob) : null;
    return values === null ? null : values.reduce((a, b) => a + b, 0);
  };
}

/** SQLite varints (big-endian 7-bit groups, the 9th byte whole); null when truncated. */
function varints(blob: Buffer): number[] | null {
  const out: number[] = [];
  let i = 0;
  while (i < blob.length) {
    let v = 0;
    for (let n = 0; ; n++) {
      if (i >= blob.length) return null;
      const b = blob[i++]!;
      if (n === 8) {
        v = v * 256 + b;
        break;
      }
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    out.push(v);
  }
  return out;
}
