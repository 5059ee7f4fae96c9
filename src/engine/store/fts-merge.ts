// The change writer paces FTS5's merges itself, one bounded step per transaction. FTS5's own automerge does,
// at each commit, merge work of (leaves the commit wrote) × (levels in the index), and a spliced index has 7-8
// levels (fts-splice.ts). Its 'deletemerge' rewrites a level once a tenth of its rows are deleted, which on a
// 1M-row index is the whole spliced index (~400 MB): after ~100k updates, bench:incr's probes waited 8 s while
// three commits took 1.6, 8.5 and 2.7 s, and in process two commits of 4,000 updates took 6.3 and 4.0 s
// against 0.5 s for the others. With automerge off, each transaction ends with a 'merge' of a budget in pages
// proportional to the full-text rows it wrote: the same merges (segments of a level combined once 16 are there,
// a level rewritten once a tenth of its rows are deleted) done a slice at a time. FTS5 still merges on its own a
// level that reaches 'crisismerge' (64) segments; the steps keep levels well below that.
import type { Statement } from 'better-sqlite3';
import type { GenDb } from './generation-file.js';

/**
 * Merge pages per full-text row a transaction wrote, and the bounds of one step (4 KiB pages). What random
 * updates need: ~1 page per updated row to rewrite a level each time a tenth of its rows are deleted (1M rows:
 * ~100k pages per 100k updates), and a few tenths for combining the new segments. A step of 4,000 pages took
 * ~0.35 s here. A backlog's large transactions meet the cap and leave the purge behind; steady traffic's small
 * ones catch it up.
 */
const PAGES_PER_ROW = 1.5;
const MIN_PAGES = 64;
const MAX_PAGES = 4000;

export class FtsMergePacer {
  readonly #db: GenDb;
  readonly #merge: Statement;
  #paced = false;

  constructor(db: GenDb) {
    this.#db = db;
    this.#merge = db.prepare("INSERT INTO fts(fts, rank) VALUES ('merge', ?)");
  }

  /** Inside the writer's transaction, after its full-text rows: turns automerge off (once) and merges a slice. */
  step(rows: number): void {
    if (!this.#paced) {
      // Stored in the table's config: every writer of the file paces its merges from then on.
      this.#db.exec("INSERT INTO fts(fts, rank) VALUES ('automerge', 0)");
      this.#db.exec("INSERT INTO fts(fts, rank) VALUES ('usermerge', 16)");
      this.#paced = true;
    }
    const pages = Math.min(MAX_PAGES, Math.max(MIN_PAGES, Math.ceil(rows * PAGES_PER_ROW)));
    this.#merge.run(pages);
  }
}
