// Applies document operations to a live or catching-up generation: documents, tombstones and the stream
// positions that produced them commit in ONE transaction, so after a crash the index and its positions agree.
import type { IndexSpec } from '../../core/schema.js';
import type { RowImage } from '../../core/value.js';
import type { StreamPosition } from '../../core/change.js';
import type { DocKey } from '../../core/doc-key.js';
import type { Statement } from 'better-sqlite3';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { journalOff, openGenerationFile, readMeta, type GenDb } from './generation-file.js';
import { layoutOf, type FieldLayout } from './layout.js';
import { docColumns, docParams, type SqlValue } from './values.js';
import { valueCountTracker, type ValueCountTracker } from './value-counts.js';
import { TopKTracker } from './topk-tracker.js';
import { docCountAdder, docCounter } from './doc-count.js';
import { NormLog } from './norm-log.js';
import { FtsMergePacer } from './fts-merge.js';

/**
 * `tokens`: the full-text fields' index-mode tokens of `values`, in FTS column order; a function is called
 * only when they are needed (not when the update leaves every full-text field's text as stored).
 */
export type DocOp =
  | { readonly kind: 'upsert'; readonly key: DocKey; readonly version: bigint; readonly values: RowImage; readonly tokens: readonly string[] | (() => readonly string[]) }
  | { readonly kind: 'delete'; readonly key: DocKey; readonly version: bigint };

/** Decides whether an operation at `incoming` may replace what the index holds at `stored` (doc or tombstone). */
export type VersionRule = (incoming: bigint, stored: bigint | undefined) => boolean;

export interface ApplyResult {
  readonly applied: number;
  readonly skipped: number;
  /** Per op, in order: 1 applied, 0 skipped by the version rule. */
  readonly outcome: Uint8Array;
}

const MAX_UPDATE_SHAPES = 64;

/** Stored value (integers read as bigint) equals the parameter about to be written? */
function sameValue(stored: unknown, next: SqlValue): boolean {
  if (stored === next) return true;
  if (stored === null || next === null || typeof next === 'string' || typeof stored === 'string') return false;
  // eslint-disable-next-line eqeqeq -- bigint (stored INTEGER) against number/bigint: compare by value
  return (stored as bigint | number) == next;
}

type DocOpTokens = Extract<DocOp, { kind: 'upsert' }>['tokens'];

export class GenerationWriter {
  readonly db: GenDb;
  readonly spec: IndexSpec;
  readonly #layout: readonly FieldLayout[];
  readonly #ftsCols: readonly string[];
  readonly #cols: readonly string[];
  /** Positions in docParams of the full-text fields' columns. */
  readonly #ftsParams: readonly number[];
  /** UPDATE statements by the set of columns they write (an update writes only the columns that changed). */
  readonly #updates = new Map<string, Statement>();
  readonly #stmts;
  /** Changed rids and their instances of listed terms, for top-K answers (topk-tracker.ts); null without lists. */
  readonly #topk: TopKTracker | null;
  readonly #docCount: () => number;
  /** Moves the stored document count (doc-count.ts) by a transaction's inserts minus deletes. */
  readonly #addDocs: (delta: number) => void;
  /** Stored counts of frequent exact values (value-counts.ts), kept exact in each transaction. */
  readonly #valueCounts: ValueCountTracker | null;
  /** Rids whose full-text row changed, for the searchers' in-memory row lengths (norm-log.ts). */
  readonly #normLog: NormLog;
  /** FTS5's merges, a bounded slice per transaction (fts-merge.ts). */
  readonly #merges: FtsMergePacer;

  /**
   * `durable: false` (a generation nobody searches yet, whose file is dropped if the server stops or a write
   * fails before it goes live: a catch-up) writes as the dump does until makeDurable(): no journal (each
   * changed page is written once, into the file, instead of into the WAL and again by a checkpoint) and no
   * fsync. A transaction that fails then cannot be rolled back; the caller must drop the file. Nothing may rank
   * its top-K lists either until then: if all are pending, changed rows are not recorded for them (topk-tracker.ts).
   */
  constructor(fileOrDb: string | GenDb, spec: IndexSpec, opts: { readonly durable?: boolean } = {}) {
    this.db = typeof fileOrDb === 'string' ? openGenerationFile(fileOrDb) : fileOrDb;
    if (opts.durable === false) journalOff(this.db);
    this.spec = spec;
    this.#layout = layoutOf(spec);
    this.#ftsCols = this.#layout.filter((l) => l.ftsColumn).map((l) => l.ftsColumn!);
    const cols = docColumns(this.#layout);
    this.#cols = cols;
    this.#ftsParams = this.#layout.filter((l) => l.ftsColumn).map((l) => cols.indexOf(l.column));
    const db = this.db;
    this.#stmts = {
      // [rid, version, ...columns in docParams order]
      doc: db.prepare(`SELECT rid, version${cols.map((c) => `, ${c}`).join('')} FROM docs WHERE doc_key = ?`).raw(true).safeIntegers(true),
      tomb: db.prepare('SELECT version FROM tombstones WHERE doc_key = ?').safeIntegers(true),
      insert: db.prepare(`INSERT INTO docs(doc_key, version${cols.map((c) => `, ${c}`).join('')}) VALUES (?, ?${', ?'.repeat(cols.length)})`),
      update: db.prepare(`UPDATE docs SET version = ?${cols.map((c) => `, ${c} = ?`).join('')} WHERE rid = ?`),
      version: db.prepare('UPDATE docs SET version = ? WHERE rid = ?'),
      deleteDoc: db.prepare('DELETE FROM docs WHERE rid = ?'),
      ftsInsert: this.#ftsCols.length
        ? db.prepare(`INSERT INTO fts(rowid, ${this.#ftsCols.join(', ')}) VALUES (?${', ?'.repeat(this.#ftsCols.length)})`)
        : null,
      ftsDelete: db.prepare('DELETE FROM fts WHERE rowid = ?'),
      tombPut: db.prepare('INSERT INTO tombstones(doc_key, version) VALUES (?, ?) ON CONFLICT(doc_key) DO UPDATE SET version = excluded.version'),
      tombDel: db.prepare('DELETE FROM tombstones WHERE doc_key = ?'),
      posPut: db.prepare('INSERT INTO positions(topic, partition, offset) VALUES (?, ?, ?) ON CONFLICT(topic, partition) DO UPDATE SET offset = excluded.offset'),
      positions: db.prepare('SELECT topic, partition, offset FROM positions ORDER BY topic, partition'),
    };
    this.#docCount = docCounter(db);
    this.#addDocs = docCountAdder(db);
    // Generations sealed with a top-K table record changed rids so top-K answers stay exact.
    this.#topk = TopKTracker.open(db, this.#ftsCols, { untilLive: opts.durable === false });
    this.#valueCounts = valueCountTracker(db, cols);
    this.#normLog = new NormLog(db);
    this.#merges = new FtsMergePacer(db);
  }

  /**
   * Puts everything committed so far on disk and commits durably from now on, in WAL mode: the file fsynced
   * (pages written without a journal or fsync may still be in the OS cache alone). Changed rows are recorded for
   * the top-K lists from now on.
   */
  makeDurable(): void {
    this.#topk?.live();
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    const fd = openSync(this.db.name, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The snapshot S this generation was dumped at. */
  snapshotTs(): bigint {
    const s = readMeta(this.db, 'snapshotTs');
    if (s === undefined) throw new Error('generation has no snapshotTs');
    return BigInt(s);
  }

  positions(): StreamPosition[] {
    return this.#stmts.positions.all() as StreamPosition[];
  }

  docCount(): number {
    return this.#docCount();
  }

  /**
   * Applies ops in order (the version rule decides each), and records `positions`, atomically.
   *
   * The ops of one key are decided together: its stored version is read once, the rule is applied to each op
   * in arrival order in memory (keys in key order), and only the net change is written (an insert and a delete of the same key in
   * one transaction write a tombstone and nothing else; two updates, one update). Keys are independent, so the
   * result is what applying the ops one by one gives, except that a document deleted and written again in one
   * transaction keeps its rid. An update writes only the columns whose value changed (each written column costs
   * a change in its B-tree index). The full-text rows are written afterwards, once per changed rid with its
   * final tokens, in ascending rid order: FTS5 buffers a transaction's writes in memory only while their rowids
   * ascend (a write below the previous rowid flushes the buffer as a new segment), so writes in arrival order
   * (random rids) made one tiny segment per changed row and merges dominated the cost. A key whose full-text
   * texts end the transaction as they began leaves its full-text row (and top-K bookkeeping) alone, and its
   * tokens are never asked for.
   */
  apply(ops: readonly DocOp[], positions: readonly StreamPosition[], rule: VersionRule): ApplyResult {
    const s = this.#stmts;
    let applied = 0;
    const outcome = new Uint8Array(ops.length);
    // Ops of each key in arrival order, keys in order of first appearance: first[key] → op index, next[k] → the
    // key's following op (-1 at its last).
    const first = new Map<DocKey, number>();
    const tail = new Map<DocKey, number>();
    const next = new Int32Array(ops.length).fill(-1);
    for (let k = 0; k < ops.length; k++) {
      const key = ops[k]!.key;
      const t = tail.get(key);
      if (t === undefined) first.set(key, k);
      else next[t] = k;
      tail.set(key, k);
    }
    const counted = this.#valueCounts?.positions ?? [];
    const write = this.db.transaction(() => {
      const counts = this.#valueCounts?.begin();
      let docs = 0;
      /** rid → whether it had a full-text row before this transaction, and its tokens after it (null: gone). */
      const fts = new Map<number, { readonly existed: boolean; tokens: DocOpTokens | null }>();
      const change = (rid: number, existed: boolean, tokens: DocOpTokens | null): void => {
        const c = fts.get(rid);
        if (c) c.tokens = tokens;
        else fts.set(rid, { existed, tokens });
      };
      // Keys in key order rather than arrival order: their lookups and rewrites then walk the doc_key index and the
      // docs table (rids follow key order after a dump) from one end to the other, and a page read for one key is
      // still in the cache for its neighbours. New documents get their rids in key order too.
      const keys = [...first].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [key, k0] of keys) {
        const doc = s.doc.get(key) as unknown[] | undefined;
        const tomb = doc ? undefined : (s.tomb.get(key) as { version: bigint } | undefined)?.version;
        let held = doc ? (doc[1] as bigint) : tomb;
        let last = -1;
        for (let k = k0; k !== -1; k = next[k]!) {
          if (!rule(ops[k]!.version, held)) continue;
          outcome[k] = 1;
          applied++;
          held = ops[k]!.version;
          last = k;
        }
        if (last === -1) continue;
        const op = ops[last]!;
        if (op.kind === 'delete') {
          if (doc) {
            for (const i of counted) counts!.note(i, doc[i + 2], -1);
            s.deleteDoc.run(doc[0]);
            docs--;
            change(Number(doc[0]), true, null);
          }
          s.tombPut.run(key, op.version);
          continue;
        }
        const params = docParams(this.#layout, op.values);
        if (doc) {
          const rid = doc[0] as bigint;
          const changed: number[] = [];
          for (let i = 0; i < params.length; i++) if (!sameValue(doc[i + 2], params[i]!)) changed.push(i);
          // note() passes over columns without stored counts.
          for (const i of changed) {
            counts?.note(i, doc[i + 2], -1);
            counts?.note(i, params[i], 1);
          }
          if (changed.length === 0) s.version.run(op.version, rid);
          else this.#update(rid, op.version, params, changed);
          if (this.#ftsParams.some((i) => changed.includes(i))) change(Number(rid), true, op.tokens);
        } else {
          if (tomb !== undefined) s.tombDel.run(key);
          for (const i of counted) counts!.note(i, params[i], 1);
          // A new rid may reuse one deleted earlier (even in this transaction): change() keeps its first state.
          change(Number(s.insert.run(key, op.version, ...params).lastInsertRowid), false, op.tokens);
          docs++;
        }
      }
      const rids = [...fts.keys()].sort((a, b) => a - b);
      for (const rid of rids) {
        const c = fts.get(rid)!;
        const tokens = typeof c.tokens === 'function' ? c.tokens() : c.tokens;
        if (s.ftsInsert) {
          if (c.existed) s.ftsDelete.run(rid);
          if (tokens) s.ftsInsert.run(rid, ...tokens);
          this.#normLog.changed(rid);
        }
        this.#topk?.touched(rid, tokens);
      }
      if (rids.length) {
        this.#normLog.trim();
        if (s.ftsInsert) this.#merges.step(rids.length);
      }
      counts?.flush();
      this.#addDocs(docs);
      for (const p of positions) s.posPut.run(p.topic, p.partition, p.offset);
    });
    try {
      write();
    } catch (e) {
      // The top-K tracker's memory of lists and holders may have moved with the rolled-back transaction.
      this.#topk?.reload();
      throw e;
    }
    return { applied, skipped: ops.length - applied, outcome };
  }

  /** `UPDATE docs SET version, <the changed columns> WHERE rid`, one statement per shape (past the cap, every column). */
  #update(rid: bigint, version: bigint, params: readonly SqlValue[], changed: readonly number[]): void {
    const key = changed.join(',');
    let st = this.#updates.get(key);
    if (!st && this.#updates.size < MAX_UPDATE_SHAPES) {
      st = this.db.prepare(`UPDATE docs SET version = ?${changed.map((i) => `, ${this.#cols[i]} = ?`).join('')} WHERE rid = ?`);
      this.#updates.set(key, st);
    }
    if (st) st.run(version, ...changed.map((i) => params[i]), rid);
    else this.#stmts.update.run(version, ...params, rid);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
