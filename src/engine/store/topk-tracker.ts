// The change writer's part in keeping a generation's top-K lists exact (topk-table.ts, search/topk-answer.ts):
// every changed rid goes into `touched`, and a changed row's instances of the listed terms into `touched_terms`.
//
// A list can answer only while at most K changed rows hold its term (past that the answer declines, and the
// normal plan runs). So when more than K changed rows hold a term, its list is retired in the same transaction:
// its rows in topk, topk_terms and touched_terms are deleted, queries of the term take the normal plan at once,
// and changed rows are no longer searched for the term. Holders are counted across all FTS columns, so a list of
// one column may retire a little early. Once no list is left, nothing reads `touched`: it is emptied, and changed
// rows are no longer recorded.
//
// What it costs, on 1M rows (bench:incr's mix, 480 lists, ~5 listed terms per changed bio): recording the terms
// was a third of the writer's CPU (in process, transactions of 20k: 38-43k against 56k events/s without lists). The
// terms a rid holds are kept in its `touched` row (what a second change of the rid must take back) instead of in
// an index of touched_terms by rid: one B-tree write per term instead of two (46-47k events/s).
//
// A catch-up writer (opened without durability: its generation is neither searched nor ranked until it goes live)
// on a generation whose lists are all pending records nothing per row: a list ranked later ranks the rows as they
// are then, and only changes after its ranking need recording. It notes in meta that rows changed untracked (the
// hit counts planned at seal are stale then), counts each term's changed holders in memory (to retire lists as
// above), and tracks from makeDurable() on. On 1M rows, in process, back to back: 37-39k events/s recording, 43-44k
// counting in memory, 47-49k neither; the lists are all alive right after a build, when the backlog is largest.
//
// The term set and holder counts live in memory; after a transaction that failed they are read again.
import type { Statement } from 'better-sqlite3';
import { hasTable, type GenDb } from './generation-file.js';
import { readTopKMeta, RETIRED_KEY, UNTRACKED_KEY } from './topk-table.js';

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
  readonly #s: Readonly<Record<'held' | 'addRid' | 'setHeld' | 'hold' | 'unhold' | 'scopes' | 'dropList' | 'dropTerm' | 'dropTouched' | 'forget' | 'countRetired' | 'untracked', Statement>>;
  /** Until live(): rows change untracked (a catch-up while every list is pending). */
  #deferred: boolean;
  /** meta records that rows changed untracked. */
  #untracked = false;
  /** While deferred: per listed term, the rows changed since open that held it (those of any later change too). */
  readonly #catchUpHolders = new Map<string, Set<number>>();
  /** Terms with a list (pending ones included). */
  #terms = new Set<string>();
  /** Term → changed rows that hold it now. */
  #holders = new Map<string, number>();

  /**
   * The tracker of a generation sealed with top-K tables, else null. `untilLive`: the writer is a catch-up's,
   * and nothing searches or ranks the generation before live() is called.
   */
  static open(db: GenDb, ftsCols: readonly string[], opts: { readonly untilLive?: boolean } = {}): TopKTracker | null {
    return hasTable(db, 'touched_terms') ? new TopKTracker(db, ftsCols, opts.untilLive ?? false) : null;
  }

  private constructor(db: GenDb, ftsCols: readonly string[], untilLive: boolean) {
    this.#db = db;
    this.#ftsCols = ftsCols;
    this.#deferred = untilLive && db.prepare('SELECT count(*) FROM topk_terms WHERE stored >= 0').pluck().get() === 0;
    // Files whose lists are not used (readTopKMeta null) are still recorded, and never retire.
    this.#k = readTopKMeta(db)?.k ?? Number.POSITIVE_INFINITY;
    upgradeTouched(db);
    this.#s = {
      held: db.prepare('SELECT held FROM touched WHERE rid = ?').pluck(),
      addRid: db.prepare('INSERT INTO touched(rid, held) VALUES (?, ?)'),
      setHeld: db.prepare('UPDATE touched SET held = ? WHERE rid = ?'),
      hold: db.prepare('INSERT INTO touched_terms(term, col, rid, tf) VALUES (?, ?, ?, ?)'),
      unhold: db.prepare('DELETE FROM touched_terms WHERE term = ? AND col = ? AND rid = ?'),
      scopes: db.prepare('SELECT cols FROM topk_terms WHERE term = ?').pluck(),
      dropList: db.prepare('DELETE FROM topk WHERE cols = ? AND term = ?'),
      dropTerm: db.prepare('DELETE FROM topk_terms WHERE cols = ? AND term = ?'),
      dropTouched: db.prepare('DELETE FROM touched_terms WHERE term = ?'),
      forget: db.prepare('DELETE FROM touched'),
      untracked: db.prepare(`INSERT OR IGNORE INTO meta(key, value) VALUES ('${UNTRACKED_KEY}', '1')`),
      countRetired: db.prepare(`INSERT INTO meta(key, value) VALUES ('${RETIRED_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`),
    };
    this.reload();
  }

  /** Reads the term set and holder counts from the file (at open, and after a transaction rolled back). */
  reload(): void {
    this.#terms = new Set(this.#db.prepare('SELECT DISTINCT term FROM topk_terms').pluck().all() as string[]);
    this.#holders = new Map(this.#db.prepare('SELECT term, count(DISTINCT rid) FROM touched_terms GROUP BY term').raw(true).all() as [string, number][]);
    this.#untracked = this.#db.prepare(`SELECT count(*) FROM meta WHERE key = '${UNTRACKED_KEY}'`).pluck().get() === 1;
  }

  /** The generation is about to be searched and ranked: changes are tracked from now on. */
  live(): void {
    this.#deferred = false;
    this.#catchUpHolders.clear();
  }

  /**
   * A catch-up retires the lists of terms that more than K of its changed rows held, as a live writer would (the
   * term churns: ranking its list would be wasted, and tracking it would cost the live writer). Counted in memory:
   * at most K+1 rids per listed term.
   */
  #countCatchUpHolder(rid: number, tokens: readonly string[]): void {
    for (const text of tokens) {
      for (const term of ftsTokens(text)) {
        if (!this.#terms.has(term)) continue;
        let rids = this.#catchUpHolders.get(term);
        if (!rids) this.#catchUpHolders.set(term, (rids = new Set()));
        rids.add(rid);
        if (rids.size > this.#k) {
          this.#catchUpHolders.delete(term);
          this.#retire(term);
        }
      }
    }
  }

  /** Records a changed rid and, for a row that now exists, its instances of the listed terms per column. */
  touched(rid: number, tokens: readonly string[] | null): void {
    if (this.#terms.size === 0) return;
    const s = this.#s;
    if (this.#deferred) {
      if (!this.#untracked) s.untracked.run();
      this.#untracked = true;
      if (tokens) this.#countCatchUpHolder(rid, tokens);
      return;
    }
    // undefined: first change of the rid since seal; null: it holds no listed term.
    const before = s.held.get(rid) as string | null | undefined;
    if (before) {
      const terms = new Set<string>();
      // A term retired since holds no touched_terms rows and no count.
      for (const pair of before.split('\n')) {
        const [term, col] = pair.split('\t') as [string, string];
        if (!this.#terms.has(term)) continue;
        s.unhold.run(term, col, rid);
        terms.add(term);
      }
      for (const term of terms) this.#holders.set(term, (this.#holders.get(term) ?? 1) - 1);
    }
    // One statement per term: a multi-row INSERT was slower (in process, 1M rows: 40k against 46k events/s).
    const pairs: string[] = [];
    const held = new Set<string>();
    if (tokens) {
      tokens.forEach((text, i) => {
        const col = this.#ftsCols[i]!;
        const counts = new Map<string, number>();
        for (const tok of ftsTokens(text)) if (this.#terms.has(tok)) counts.set(tok, (counts.get(tok) ?? 0) + 1);
        for (const [term, tf] of counts) {
          s.hold.run(term, col, rid, tf);
          pairs.push(`${term}\t${col}`);
          held.add(term);
        }
      });
    }
    const heldText = pairs.length ? pairs.join('\n') : null;
    if (before === undefined) s.addRid.run(rid, heldText);
    else if (before !== heldText) s.setHeld.run(heldText, rid);
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
    // The last list gone: nothing reads the changed rids any more (lists come only with a new generation).
    if (this.#terms.size === 0) s.forget.run();
  }
}

/**
 * Files sealed before `touched.held` existed kept the terms a rid holds in an index of touched_terms by rid:
 * moves them into `touched` and drops the index (once, when a writer opens the file).
 */
function upgradeTouched(db: GenDb): void {
  if (db.prepare("SELECT count(*) FROM pragma_table_info('touched') WHERE name = 'held'").pluck().get() === 1) return;
  db.transaction(() => {
    db.exec(`
      ALTER TABLE touched ADD COLUMN held TEXT;
      UPDATE touched SET held = (SELECT group_concat(term || char(9) || col, char(10)) FROM touched_terms t WHERE t.rid = touched.rid)
        WHERE EXISTS (SELECT 1 FROM touched_terms t WHERE t.rid = touched.rid);
      DROP INDEX IF EXISTS touched_terms_rid;
    `);
  })();
}
