// Creates and opens generation files (layout.ts). A file being built runs with durability off (it is
// thrown away if the build fails) and switches to WAL + synchronous=NORMAL once it is complete.
import Database from 'better-sqlite3';
import type { IndexSpec } from '../../core/schema.js';
import { layoutOf, storageOf } from './layout.js';
import { createNormLog } from './norm-log.js';

export type GenDb = Database.Database;

/**
 * SQLite page size of a generation file: FTS5's leaf size. Every commit empties the readers' page caches, and
 * the next search reads its pages again: with 64 KiB pages a rare term copied 64 KiB per page where it needed
 * one 4 KiB leaf (1M rows, a write before each query: 350 -> 110 us; docs/DESIGN.md, "Files on disk").
 */
export const GENERATION_PAGE_SIZE = 4096;

export function createGenerationFile(file: string, spec: IndexSpec): GenDb {
  const db = new Database(file);
  db.pragma(`page_size = ${GENERATION_PAGE_SIZE}`);
  journalOff(db);
  const layout = layoutOf(spec);
  const cols = layout.flatMap((l) => {
    const c = [`${l.column} ${storageOf(l.field.kind)}`];
    if (l.sortColumn !== l.column) c.push(`${l.sortColumn} REAL`);
    return c;
  });
  const fts = layout.flatMap((l) => (l.ftsColumn ? [l.ftsColumn] : []));
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE docs (rid INTEGER PRIMARY KEY, doc_key TEXT NOT NULL UNIQUE, version INTEGER NOT NULL${cols.map((c) => `, ${c}`).join('')});
    CREATE TABLE tombstones (doc_key TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE positions (topic TEXT NOT NULL, partition INTEGER NOT NULL, offset TEXT NOT NULL, PRIMARY KEY (topic, partition)) WITHOUT ROWID;
  `);
  createFtsTable(db, fts);
  createNormLog(db);
  db.prepare('INSERT INTO meta(key, value) VALUES (?, ?)').run('spec', JSON.stringify(spec));
  return db;
}

/**
 * The full-text table `fts` over pre-analysed tokens (space-separated, read by FTS5's `ascii` tokenizer).
 * A generation file and the build's FTS shards (fts-shard.ts) create it alike, so shards can be spliced in.
 */
export function createFtsTable(db: GenDb, ftsColumns: readonly string[]): void {
  // An FTS5 table needs at least one column; an index without full-text fields keeps a placeholder.
  const cols = ftsColumns.length ? ftsColumns : ['t_none'];
  db.exec(`CREATE VIRTUAL TABLE fts USING fts5(${cols.join(', ')}, content='', contentless_delete=1, tokenize='ascii')`);
  db.exec("INSERT INTO fts(fts, rank) VALUES ('automerge', 16)");
  db.exec("INSERT INTO fts(fts, rank) VALUES ('crisismerge', 64)");
}

/**
 * B-tree indexes of the docs columns that filters, sorts and facets read. A long text (a TEXT column) that is
 * searched as full text gets none: only sorting or faceting on its whole value would use one (Solr refuses to
 * sort a tokenized field at all), those still work by a scan, and indexing 1M bios took ~2 s of the seal.
 */
export function createFieldIndexes(db: GenDb, spec: IndexSpec): void {
  for (const l of layoutOf(spec)) {
    if (l.field.isKey && spec.key.length === 1) continue; // doc_key already has a unique index
    if (l.ftsColumn !== null && /text$/i.test(l.field.sqlType)) continue;
    db.exec(`CREATE INDEX IF NOT EXISTS ix_${l.column} ON docs(${l.sortColumn})`);
  }
}

/** Merges the FTS5 segments into one. */
export function optimizeFts(db: GenDb): void {
  db.exec("INSERT INTO fts(fts) VALUES ('optimize')");
}

export function openGenerationFile(file: string, opts: { readonly?: boolean } = {}): GenDb {
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: true });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Turns the rollback journal and fsync off on this connection, for a file that is thrown away if a write fails
 * (a build, a catch-up): each changed page is written once, into the file. better-sqlite3 opens connections in SQLite's
 * defensive mode, which refuses `journal_mode = OFF` without an error (the mode just stays as it was: until
 * 2026-11-30 every build ran with a rollback journal while its comments said otherwise), so the pragma runs
 * with defensive mode lifted for that one statement, and the result is checked.
 */
export function journalOff(db: GenDb): void {
  let mode: unknown;
  db.unsafeMode(true);
  try {
    mode = db.pragma('journal_mode = OFF', { simple: true });
  } finally {
    db.unsafeMode(false);
  }
  if (mode !== 'off') throw new Error(`${db.name}: SQLite kept journal_mode ${String(mode)} where OFF was asked`);
  db.pragma('synchronous = OFF');
}

/** Whether the file has table `name` (tables added by later versions are missing from older files). */
export function hasTable(db: GenDb, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

export function readMeta(db: GenDb, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

export function writeMeta(db: GenDb, key: string, value: string): void {
  db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
