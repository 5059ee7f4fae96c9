// The builder's long SQLite steps, on a thread of their own (builder.ts indexFields, spliceShards): on the
// thread that answers requests, building the docs columns' B-tree indexes held every search, status and admin
// call of the server for ~10 s at 1M rows, and the FTS5 splice for ~1.5 s. The file is still being built, so
// it is written as the builder writes it: no journal, no fsync.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { IndexSpec } from '../../core/schema.js';
import { createFieldIndexes, journalOff } from './generation-file.js';
import { spliceFtsShards, type SpliceStats } from './fts-splice.js';

export type BuilderThreadRequest =
  | { readonly kind: 'indexFields'; readonly id: number; readonly file: string; readonly spec: IndexSpec }
  | { readonly kind: 'splice'; readonly id: number; readonly file: string; readonly shards: readonly string[]; readonly columns: number };
export type BuilderThreadResponse =
  | { readonly id: number; readonly done: true }
  | { readonly id: number; readonly spliced: SpliceStats }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (port === null) throw new Error('builder-thread must run as a worker thread');

port.on('message', (req: BuilderThreadRequest) => {
  let res: BuilderThreadResponse;
  try {
    const db = new Database(req.file, { fileMustExist: true });
    try {
      journalOff(db);
      if (req.kind === 'indexFields') {
        createFieldIndexes(db, req.spec);
        res = { id: req.id, done: true };
      } else {
        res = { id: req.id, spliced: spliceFtsShards(db, req.shards, req.columns) };
      }
    } finally {
      db.close();
    }
  } catch (e) {
    res = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(res);
});
