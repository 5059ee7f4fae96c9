// One shard of a full build's FTS5 index: a throwaway file written by one analysis thread, holding the
// tokens of the rows that thread analysed (their rids assigned by the generation's docs table), later
// spliced into the generation (fts-splice.ts). Durability is off: a failed build deletes it.
//
// A shard is written once and merged once, so FTS5 merges nothing while it is written: automerge off, and a
// transaction spans many batches (FTS5 writes a segment at every commit, and when its pending terms pass
// `hashsize`). The shard then holds a few dozen segments, merged in one pass by finish(). Measured on 500k
// bench rows (ik bios, one thread): writing 6.8–6.9 s plus 1.1 s of merge with automerge 16 and a commit per
// 2000-row batch; 3.8 s plus 1.6 s this way.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { createFtsTable, journalOff, type GenDb } from './generation-file.js';

/** Rows per transaction. */
const COMMIT_ROWS = 20_000;
/** FTS5's pending terms before it writes a segment (its default is 1 MiB). 1M-row builds: 4 MiB gave 49.0–49.7k
 *  rows/s at 365–372 MiB peak RSS, 8 MiB 48.9–50.9k at 382–385 MiB; 1–2 MiB make hundreds of segments to merge. */
const HASH_BYTES = 4 * 1024 * 1024;
/** Segments on one level before FTS5 merges them anyway (FTS5 allows 2000 in all): ~5M bench rows per shard. */
const CRISIS_SEGMENTS = 1000;

export interface ShardWriteOptions {
  /** Rows per transaction (COMMIT_ROWS). */
  readonly commitRows?: number;
  /** FTS5's `hashsize` (HASH_BYTES). */
  readonly hashBytes?: number;
  /** FTS5's `crisismerge` (CRISIS_SEGMENTS). */
  readonly crisisSegments?: number;
}

export class FtsShardWriter {
  readonly file: string;
  readonly #db: GenDb;
  readonly #insert: Database.Statement;
  readonly #commitRows: number;
  #rows = 0;
  #uncommitted = 0;

  constructor(file: string, ftsColumns: readonly string[], options: ShardWriteOptions = {}) {
    this.file = file;
    removeShardFiles(file);
    this.#db = new Database(file);
    // Large pages for a file written once and read once by the splice, which copies its rows (segments) into
    // the generation whatever the generation's page size (generation-file.ts).
    this.#db.pragma('page_size = 65536');
    journalOff(this.#db);
    createFtsTable(this.#db, ftsColumns);
    this.#db.exec("INSERT INTO fts(fts, rank) VALUES ('automerge', 0)");
    this.#db.exec(`INSERT INTO fts(fts, rank) VALUES ('crisismerge', ${Math.trunc(options.crisisSegments ?? CRISIS_SEGMENTS)})`);
    this.#db.exec(`INSERT INTO fts(fts, rank) VALUES ('hashsize', ${Math.trunc(options.hashBytes ?? HASH_BYTES)})`);
    this.#commitRows = options.commitRows ?? COMMIT_ROWS;
    const cols = ftsColumns.length ? ftsColumns : ['t_none'];
    this.#insert = this.#db.prepare(`INSERT INTO fts(rowid, ${cols.join(', ')}) VALUES (?${', ?'.repeat(cols.length)})`);
  }

  get rows(): number {
    return this.#rows;
  }

  /**
   * Stores the tokens (row-major, rids.length × columns, joined by ' ') of the given rids, in the open
   * transaction (committed every `commitRows` rows, and by finish()).
   */
  insert(rids: ArrayLike<number>, tokens: readonly string[]): void {
    const n = tokens.length / Math.max(rids.length, 1);
    const st = this.#insert;
    if (!this.#db.inTransaction) this.#db.exec('BEGIN');
    // One and two columns without building an argument array per row (measured ~2 us of ~45 per row).
    if (n === 1) for (let i = 0; i < rids.length; i++) st.run(rids[i], tokens[i]);
    else if (n === 2) for (let i = 0; i < rids.length; i++) st.run(rids[i], tokens[2 * i], tokens[2 * i + 1]);
    else for (let i = 0; i < rids.length; i++) st.run(rids[i], ...tokens.slice(i * n, i * n + n));
    this.#rows += rids.length;
    this.#uncommitted += rids.length;
    if (this.#uncommitted >= this.#commitRows) this.#commit();
  }

  #commit(): void {
    if (this.#db.inTransaction) this.#db.exec('COMMIT');
    this.#uncommitted = 0;
  }

  /** Commits, merges the shard's segments into one (no merge may be in progress when it is spliced) and closes it. */
  finish(): void {
    this.#commit();
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
