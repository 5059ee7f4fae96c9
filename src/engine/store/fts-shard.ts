// One shard of a full build's FTS5 index: a throwaway file written by one analysis thread, holding the
// tokens of the rows that thread analysed (their rids assigned by the generation's docs table), later
// spliced into the generation (fts-splice.ts). Durability is off: a failed build deletes it.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { createFtsTable, type GenDb } from './generation-file.js';

export class FtsShardWriter {
  readonly file: string;
  readonly #db: GenDb;
  readonly #insert: Database.Statement;
  #rows = 0;

  constructor(file: string, ftsColumns: readonly string[]) {
    this.file = file;
    removeShardFiles(file);
    this.#db = new Database(file);
    // As the generation file: the shard's pages are copied into it as they are.
    this.#db.pragma('page_size = 65536');
    this.#db.pragma('journal_mode = OFF');
    this.#db.pragma('synchronous = OFF');
    createFtsTable(this.#db, ftsColumns);
    const cols = ftsColumns.length ? ftsColumns : ['t_none'];
    this.#insert = this.#db.prepare(`INSERT INTO fts(rowid, ${cols.join(', ')}) VALUES (?${', ?'.repeat(cols.length)})`);
  }

  get rows(): number {
    return this.#rows;
  }

  /** Stores the tokens (row-major, rids.length × columns, joined by ' ') of the given rids, in one transaction. */
  insert(rids: ArrayLike<number>, tokens: readonly string[]): void {
    const n = tokens.length / Math.max(rids.length, 1);
    const st = this.#insert;
    this.#db.transaction(() => {
      // One and two columns without building an argument array per row (measured ~2 us of ~45 per row).
      if (n === 1) for (let i = 0; i < rids.length; i++) st.run(rids[i], tokens[i]);
      else if (n === 2) for (let i = 0; i < rids.length; i++) st.run(rids[i], tokens[2 * i], tokens[2 * i + 1]);
      else for (let i = 0; i < rids.length; i++) st.run(rids[i], ...tokens.slice(i * n, i * n + n));
    })();
    this.#rows += rids.length;
  }

  /** Merges the shard's segments into one (no merge may be in progress when it is spliced) and closes it. */
  finish(): void {
    this.#db.exec("INSERT INTO fts(fts) VALUES ('optimize')");
    this.#db.close();
  }

  /** Closes and deletes the shard (a build that failed or was cancelled). */
  discard(): void {
    if (this.#db.open) this.#db.close();
    removeShardFiles(this.file);
  }
}

/** Deletes a shard and the files SQLite may have left beside it. */
export function removeShardFiles(file: string): void {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}
