// Builds a generation's B-tree indexes of the docs columns (generation-file.ts createFieldIndexes) on a thread of
// its own, for the builder's indexFields(): on the thread that serves requests, building them held every search,
// status and admin call of the server for as long (~10 s at 1M rows here). The file is still being built, so it
// is written as the builder writes it: no journal, no fsync.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { IndexSpec } from '../../core/schema.js';
import { createFieldIndexes, journalOff } from './generation-file.js';

export type FieldIndexRequest = { readonly id: number; readonly file: string; readonly spec: IndexSpec };
export type FieldIndexResponse = { readonly id: number; readonly done: true } | { readonly id: number; readonly error: string };

const port = parentPort;
if (port === null) throw new Error('field-index-thread must run as a worker thread');

port.on('message', (req: FieldIndexRequest) => {
  let res: FieldIndexResponse;
  try {
    const db = new Database(req.file, { fileMustExist: true });
    try {
      journalOff(db);
      db.pragma('synchronous = OFF');
      createFieldIndexes(db, req.spec);
    } finally {
      db.close();
    }
    res = { id: req.id, done: true };
  } catch (e) {
    res = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(res);
});
