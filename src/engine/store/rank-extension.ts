// Loads tsrank (native/tsrank.c) into a connection to a generation file: FTS5's bm25() with every row's length held in
// memory, same arguments and bit-identical scores. Built by `npm ci` / `npm run build:native`
// (scripts/build-native.mjs) into native/build/. Without it (not built, or a platform where it fails to load)
// searches (and the top-K ranking, topk-table.ts) rank with bm25(), slower on frequent terms and otherwise the
// same; the server logs why at start.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

/** The FTS5 ranking function a searcher's SQL calls: `bm25` or `tsrank` (same arguments, same scores). */
export type RankFunction = 'bm25' | 'tsrank';

/** native/build/tsrank.so from src/engine/store (tsx) or dist/src/engine/store (compiled). */
function libraryPath(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'native', 'build', 'tsrank.so');
    if (existsSync(file)) return file;
    dir = resolve(dir, '..');
  }
  return null;
}

let library: string | null | undefined;
const loaded = new WeakMap<Database.Database, RankFunction>();

/** Loads tsrank into `db` (once per connection) and returns the function to rank with; `bm25` when it cannot be loaded. */
export function loadRankFunction(db: Database.Database): RankFunction {
  let fn = loaded.get(db);
  if (fn === undefined) {
    fn = tryLoad(db) === null ? 'tsrank' : 'bm25';
    loaded.set(db, fn);
  }
  return fn;
}

/** Why tsrank cannot be loaded in this process, or null when it can (the server logs it once at start). */
export function rankExtensionProblem(): string | null {
  const db = new Database(':memory:');
  try {
    return tryLoad(db);
  } finally {
    db.close();
  }
}

function tryLoad(db: Database.Database): string | null {
  if (library === undefined) library = libraryPath();
  if (library === null) return 'native/build/tsrank.so not found (npm run build:native builds it)';
  try {
    db.loadExtension(library);
    return null;
  } catch (e) {
    return `${library}: ${(e as Error).message}`;
  }
}
