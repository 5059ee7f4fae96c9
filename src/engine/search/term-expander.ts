// Expands wildcards and ranges on full-text fields into the indexed terms they match, through an
// fts5vocab table over the generation's FTS index (created in the connection's temp schema: the
// generation file itself is opened read-only).
import type Database from 'better-sqlite3';
import type { TermExpander, TermMatch } from '../query/compiler.js';

export function vocabTermExpander(db: Database.Database): TermExpander {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab USING fts5vocab(main, 'fts', 'col')");
  const byGlob = db.prepare('SELECT DISTINCT term FROM temp.fts_vocab WHERE col = ? AND term >= ? AND term < ? AND term GLOB ? LIMIT ?').pluck();
  const all = db.prepare('SELECT DISTINCT term FROM temp.fts_vocab WHERE col = ? AND term GLOB ? LIMIT ?').pluck();
  const range = db.prepare(
    `SELECT DISTINCT term FROM temp.fts_vocab WHERE col = @col
       AND (@lo IS NULL OR term > @lo OR (@loIn AND term = @lo)) AND (@hi IS NULL OR term < @hi OR (@hiIn AND term = @hi)) LIMIT @limit`,
  ).pluck();
  return {
    expand(ftsColumn: number, match: TermMatch, limit: number): readonly string[] {
      const col = `t${ftsColumn}`;
      if ('glob' in match) {
        if (match.prefix === '') return all.all(col, match.glob, limit) as string[];
        // The literal prefix bounds the scan: '\u{10ffff}' sorts after every continuation.
        return byGlob.all(col, match.prefix, `${match.prefix}\u{10ffff}`, match.glob, limit) as string[];
      }
      return range.all({ col, lo: match.lower, loIn: match.includeLower ? 1 : 0, hi: match.upper, hiIn: match.includeUpper ? 1 : 0, limit }) as string[];
    },
  };
}
