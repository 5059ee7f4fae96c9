// The generation's document count, stored in meta ('doc_count') at seal and moved by the change writer in the
// transaction that inserts or deletes documents. `SELECT COUNT(*) FROM docs` walks an index of every document:
// on 1M rows 3-4 ms with the pages in the OS cache, 16 ms without, paid by numFound of `*:*` after each commit
// and by every index status (the console polls it each second). Files sealed before it existed have no key:
// their readers count.
import type { GenDb } from './generation-file.js';

const KEY = 'doc_count';

/** Stores the count (at seal, when nothing else writes the file). */
export function storeDocCount(db: GenDb): number {
  const n = Number(db.prepare('SELECT COUNT(*) FROM docs').pluck().get());
  db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, String(n));
  return n;
}

/** Adds `delta` to the stored count, if the file has one (inside the writer's transaction). */
export function docCountAdder(db: GenDb): (delta: number) => void {
  const add = db.prepare(`UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = '${KEY}'`);
  return (delta) => {
    if (delta !== 0) add.run(delta);
  };
}

/** The document count: stored, or counted for a file without one. */
export function docCounter(db: GenDb): () => number {
  const stored = db.prepare(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = '${KEY}'`).pluck();
  const count = db.prepare('SELECT COUNT(*) FROM docs').pluck();
  return () => Number((stored.get() as number | undefined) ?? count.get());
}
