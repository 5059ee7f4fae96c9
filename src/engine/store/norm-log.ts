// The log of rids whose full-text row the change writer rewrote, for the searchers' in-memory row lengths.
//
//   norm_log(seq INTEGER PRIMARY KEY, rid INTEGER NOT NULL)
//
// A searcher ranks with tsrank() (native/tsrank.c), which holds every row's token count in memory as Lucene
// holds its norms, instead of reading it from fts_docsize for each hit. It reads the lengths once, and after
// each commit only those of the rids logged here since the last seq it saw. The writer appends in the same
// transaction as the full-text rows, so a reader's snapshot holds both or neither. The log keeps the latest
// KEEP entries; a reader that fell further behind reads every length again.
//
// Files sealed before the log existed get it when a writer first opens them; a reader reads every length at
// its first ranked query anyway, so changes made earlier need no entry.
import type { Statement } from 'better-sqlite3';
import type { GenDb } from './generation-file.js';

/** Entries kept (~16 bytes each): the changes of many hours at the live channel's rates. */
export const KEEP = 1_000_000;

export function createNormLog(db: GenDb): void {
  db.exec('CREATE TABLE IF NOT EXISTS norm_log (seq INTEGER PRIMARY KEY, rid INTEGER NOT NULL)');
}

export class NormLog {
  readonly #append: Statement;
  readonly #trim: Statement;
  readonly #keep: number;

  constructor(db: GenDb, keep = KEEP) {
    createNormLog(db);
    this.#append = db.prepare('INSERT INTO norm_log(rid) VALUES (?)');
    // The oldest entries past `keep`: one seek when there are none.
    this.#trim = db.prepare('DELETE FROM norm_log WHERE seq <= (SELECT max(seq) FROM norm_log) - ?');
    this.#keep = keep;
  }

  /** Records that `rid`'s full-text row (and so its length) changed, inside the writer's transaction. */
  changed(rid: number): void {
    this.#append.run(rid);
  }

  /** Drops entries past the newest `keep`, inside the writer's transaction. */
  trim(): void {
    this.#trim.run(this.#keep);
  }
}
