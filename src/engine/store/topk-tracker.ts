// The change writer's part in keeping a generation's top-K lists exact (topk-table.ts, search/topk-answer.ts):
// every changed rid goes into `touched`, and a changed row's instances of the listed terms into `touched_terms`.
//
// A list can answer only while at most K changed rows hold its term (past that the answer declines, and the
// normal plan runs). So when more than K changed rows hold a term, its list is retired in the same transaction:
// its rows in topk, topk_terms and touched_terms are deleted, queries of the term take the normal plan at once,
// and changed rows are no longer searched for the term. Recording a term costs two B-tree inserts per changed row
// that holds it (touched_terms and its rid index): on 1M rows, with the ~25 listed terms an average bio holds,
// that was 40% of the writer's time (15k against 25k events/s without lists), paid for lists that had stopped
// answering. Holders are counted across all FTS columns, so a list of one column may retire a little early.
//
// The term set and holder counts live in memory; after a transaction that failed they are read again.
import type { Statement } from 'better-sqlite3';
import { hasTable, type GenDb } from './generation-file.js';
import { readTopKMeta, RETIRED_KEY } from './topk-table.js';

const TOKEN_GAP = /[^0-9a-z\u0080-\u{10ffff}]+/u;

/**
 * The tokens FTS5's `ascii` tokenizer reads from a column text (topk-table.ts `asciiTokens`, which the tests
 * hold this to): ASCII letters folded to lower case first, then one split, instead of a match and a fold per
 * token (2.5-4x cheaper on ik-analysed bios; this runs for every changed row of a generation with a top-K).
 */
export function ftsTokens(text: string): string[] {
  const folded = /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (u) => u.toLowerCase()) : text;
  const out = folded.split(TOKEN_GAP);
  if (out.length && out[0] === '') out.shift();
  if (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

export class TopKTracker {
  readonly #db: GenDb;
  readonly #ftsCols: readonly string[];
  readonly #k: number;
  readonly #s: Readonly<Record<'rid' | 'heldBy' | 'clear' | 'term' | 'scopes' | 'dropList' | 'dropTerm' | 'dropTouched' | 'countRetired', Statement>>;
  /** Terms with a list (pending ones included). */
  #terms = new Set<string>();
  /** Term → changed rows that hold it now. */
  #holders = new Map<string, number>();

  /** The tracker of a generation sealed with top-K tables, else null. */
  static open(db: GenDb, ftsCols: readonly string[]): TopKTracker | null {
    return hasTable(db, 'touched_terms') ? new TopKTracker(db, ftsCols) : null;
  }

  private constructor(db: GenDb, ftsCols: readonly string[]) {
    this.#db = db;
    this.#ftsCols = ftsCols;
    // Files whose lists are not used (readTopKMeta null) are still recorded, and never retire.
    this.#k = readTopKMeta(db)?.k ?? Number.POSITIVE_INFINITY;
    this.#s = {
      rid: db.prepare('INSERT OR IGNORE INTO touched(rid) VALUES (?)'),
      heldBy: db.prepare('SELECT DISTINCT term FROM touched_terms WHERE rid = ?').pluck(),
      clear: db.prepare('DELETE FROM touched_terms WHERE rid = ?'),
      term: db.prepare('INSERT INTO touched_terms(term, col, rid, tf) VALUES (?, ?, ?, ?)'),
      scopes: db.prepare('SELECT cols FROM topk_terms WHERE term = ?').pluck(),
      dropList: db.prepare('DELETE FROM topk WHERE cols = ? AND term = ?'),
      dropTerm: db.prepare('DELETE FROM topk_terms WHERE cols = ? AND term = ?'),
      dropTouched: db.prepare('DELETE FROM touched_terms WHERE term = ?'),
      countRetired: db.prepare(`INSERT INTO meta(key, value) VALUES ('${RETIRED_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`),
    };
    this.reload();
  }

  /** Reads the term set and holder counts from the file (at open, and after a transaction rolled back). */
  reload(): void {
    this.#terms = new Set(this.#db.prepare('SELECT DISTINCT term FROM topk_terms').pluck().all() as string[]);
    this.#holders = new Map(this.#db.prepare('SELECT term, count(DISTINCT rid) FROM touched_terms GROUP BY term').raw(true).all() as [string, number][]);
  }

  /** Records a changed rid and, for a row that now exists, its instances of the listed terms per column. */
  touched(rid: number, tokens: readonly string[] | null): void {
    const s = this.#s;
    // A rid touched for the first time has no recorded terms yet.
    if (s.rid.run(rid).changes === 0) {
      for (const term of s.heldBy.all(rid) as string[]) this.#holders.set(term, (this.#holders.get(term) ?? 1) - 1);
      s.clear.run(rid);
    }
    if (!tokens || this.#terms.size === 0) return;
    const held = new Set<string>();
    tokens.forEach((text, i) => {
      const counts = new Map<string, number>();
      for (const tok of ftsTokens(text)) if (this.#terms.has(tok)) counts.set(tok, (counts.get(tok) ?? 0) + 1);
      for (const [term, tf] of counts) {
        s.term.run(term, this.#ftsCols[i], rid, tf);
        held.add(term);
      }
    });
    for (const term of held) {
      const n = (this.#holders.get(term) ?? 0) + 1;
      this.#holders.set(term, n);
      if (n > this.#k) this.#retire(term);
    }
  }

  #retire(term: string): void {
    const s = this.#s;
    const scopes = s.scopes.all(term) as string[];
    for (const cols of scopes) {
      s.dropList.run(cols, term);
      s.dropTerm.run(cols, term);
    }
    // Counted for status (topk.retired): frequent-term queries rank every hit again until the next build.
    s.countRetired.run(String(scopes.length));
    s.dropTouched.run(term);
    this.#terms.delete(term);
    this.#holders.delete(term);
  }
}
