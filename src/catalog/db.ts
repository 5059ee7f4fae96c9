// Opens meta.db and brings its schema up to date. Migrations are numbered and append-only.
import Database from 'better-sqlite3';

export type Db = Database.Database;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE indexes (
     name TEXT PRIMARY KEY,
     spec TEXT NOT NULL,            -- IndexSpec JSON
     datasource TEXT NOT NULL,      -- datasource JSON as validated (may hold a password; never returned)
     live_gen INTEGER,              -- generation number queries read, NULL before the first build completes
     next_gen INTEGER NOT NULL DEFAULT 1,
     created_at INTEGER NOT NULL,
     latest_fullbuild_at INTEGER,
     rebuild_needed TEXT            -- reason, when a schema change or TRUNCATE means the index no longer matches
   );
   CREATE TABLE generations (
     index_name TEXT NOT NULL REFERENCES indexes(name) ON DELETE CASCADE,
     gen INTEGER NOT NULL,
     state TEXT NOT NULL,           -- building | live | retired | failed
     snapshot_ts TEXT,              -- S as decimal text
     doc_count INTEGER,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (index_name, gen)
   );
   CREATE TABLE tasks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     index_name TEXT NOT NULL,
     kind TEXT NOT NULL,            -- fullbuild
     gen INTEGER,
     state TEXT NOT NULL,           -- running | complete | failed
     stage TEXT NOT NULL,           -- dump | join | indexBuild | indexBackflow
     error TEXT,
     progress TEXT NOT NULL DEFAULT '{}',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX tasks_by_index ON tasks(index_name, id);
   CREATE TABLE task_logs (
     task_id INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     at INTEGER NOT NULL,
     line TEXT NOT NULL,
     PRIMARY KEY (task_id, seq)
   ) WITHOUT ROWID;
   CREATE TABLE channels (
     index_name TEXT PRIMARY KEY REFERENCES indexes(name) ON DELETE CASCADE,
     config TEXT NOT NULL,          -- incr JSON as validated
     state TEXT NOT NULL,           -- running | stopped | failed
     reason TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE dead_letters (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     index_name TEXT NOT NULL,
     topic TEXT NOT NULL, partition INTEGER NOT NULL, offset TEXT NOT NULL,
     key BLOB, value BLOB,
     reason TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE TABLE ddl_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     index_name TEXT NOT NULL,
     commit_ts TEXT NOT NULL,
     ddl_type TEXT NOT NULL,
     query TEXT NOT NULL,
     affects_index INTEGER NOT NULL,
     at INTEGER NOT NULL
   );`,
];

export function openMetaDb(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
