// Fills a new generation during a full build: each dumped batch of documents, then (as the analysis of that
// batch comes back) its full-text tokens, then seal. Batched statements, one transaction per batch.
import type { IndexSpec } from '../../core/schema.js';
import type { RowImage } from '../../core/value.js';
import { docKeyOf } from '../../core/doc-key.js';
import { TidesearchError } from '../../errors/index.js';
import { createFieldIndexes, createGenerationFile, journalOff, optimizeFts, writeMeta, type GenDb } from './generation-file.js';
import { createWorkerGroup } from '../worker-group.js';
import type { BuilderThreadRequest, BuilderThreadResponse } from './builder-thread.js';
import { layoutOf, type FieldLayout } from './layout.js';
import { pendingTopK, planTopK, rankTopK, writeTopK, type TermCounts, type TopKBuildStats, type TopKOptions } from './topk-table.js';
import { docColumns, docParams, ftsTexts } from './values.js';
import type { SpliceStats } from './fts-splice.js';
import { countedColumns, storeValueCounts } from './value-counts.js';
import { docCounter, storeDocCount } from './doc-count.js';
import Database from 'better-sqlite3';

/** Top-K options, and `valueMinDocs`: values of exact text fields held by at least this many documents get a stored count (value-counts.ts). */
export type SealOptions = TopKOptions & { readonly valueMinDocs?: number };

export interface TextBatch {
  readonly rids: readonly number[];
  /** Row-major: rids.length × ftsFieldCount texts (null for NULL). */
  readonly texts: readonly (string | null)[];
}

export class GenerationBuilder {
  #db: GenDb;
  readonly spec: IndexSpec;
  readonly #file: string;
  readonly #layout: readonly FieldLayout[];
  readonly #ftsFields: readonly FieldLayout[];
  readonly #insertDoc: import('better-sqlite3').Statement;
  readonly #insertFts: import('better-sqlite3').Statement;

  constructor(file: string, spec: IndexSpec) {
    this.spec = spec;
    this.#file = file;
    this.#db = createGenerationFile(file, spec);
    this.#layout = layoutOf(spec);
    this.#ftsFields = this.#layout.filter((l) => l.ftsColumn);
    const cols = ['doc_key', 'version', ...docColumns(this.#layout)];
    this.#insertDoc = this.db.prepare(`INSERT INTO docs(${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    const fcols = this.#ftsFields.map((l) => l.ftsColumn!);
    this.#insertFts = fcols.length
      ? this.db.prepare(`INSERT INTO fts(rowid, ${fcols.join(', ')}) VALUES (?${', ?'.repeat(fcols.length)})`)
      : this.db.prepare('SELECT ?');
  }

  get db(): GenDb {
    return this.#db;
  }

  /** The FTS5 column names, in order. */
  get ftsColumns(): readonly string[] {
    return this.#ftsFields.map((l) => l.ftsColumn!);
  }

  /** Names of the full-text fields' analyzers, in FTS column order. */
  get ftsTokens(): readonly IndexSpec['fields'][number]['token'][] {
    return this.#ftsFields.map((l) => l.field.token);
  }

  setSnapshot(snapshotTs: bigint): void {
    writeMeta(this.db, 'snapshotTs', snapshotTs.toString());
  }

  /**
   * Dump: stores a batch of rows at version `version` (the snapshot S) and returns their rids with the texts of
   * their full-text fields, for analysis. A key the snapshot returns twice is a source fault: the build stops.
   */
  insertDocs(rows: readonly RowImage[], version: bigint): TextBatch {
    const key = this.spec.key;
    const rids: number[] = [];
    const texts: (string | null)[] = [];
    this.db.transaction(() => {
      for (const row of rows) {
        const docKey = docKeyOf(key, row);
        try {
          rids.push(Number(this.#insertDoc.run(docKey, version, ...docParams(this.#layout, row)).lastInsertRowid));
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e;
          throw new TidesearchError('SOURCE_ERROR', `the snapshot returned the row with key ${docKey} twice; the dump stopped`, { cause: e });
        }
        if (this.#ftsFields.length) texts.push(...ftsTexts(this.#layout, row));
      }
    })();
    return { rids, texts };
  }

  /** Stored at seal (doc-count.ts), counted before. */
  docCount(): number {
    return docCounter(this.db)();
  }

  /** indexBuild: stores the analysed tokens (row-major, joined by ' ') for the given rids. */
  insertTokens(rids: readonly number[], tokens: readonly string[]): void {
    const n = this.#ftsFields.length;
    this.db.transaction(() => {
      for (let i = 0; i < rids.length; i++) this.#insertFts.run(rids[i], ...tokens.slice(i * n, i * n + n));
    })();
  }

  /**
   * indexBuild: splices the worker threads' FTS shards (fts-shard.ts) into this file's FTS5 table, which must
   * have taken no rows here, on a thread of its own (builder-thread.ts). The splice writes FTS5's shadow tables
   * behind FTS5's back, so the builder's connection is closed meanwhile and opened anew after it: it has cached
   * nothing of the table.
   */
  async spliceShards(files: readonly string[]): Promise<SpliceStats> {
    this.#db.close();
    try {
      const r = await this.#onThread((id) => ({ kind: 'splice', id, file: this.#file, shards: files, columns: Math.max(1, this.#ftsFields.length) }));
      if (!('spliced' in r)) throw new Error('the builder thread answered a splice with something else');
      return r.spliced;
    } finally {
      this.#db = new Database(this.#file, { fileMustExist: true });
      journalOff(this.#db);
    }
  }

  /** sealPlanned(), then the pending top-K lists ranked and stored in this thread (tests and fixtures). */
  seal(topk: SealOptions = {}): TopKBuildStats {
    const t0 = performance.now();
    this.sealPlanned(topk);
    const plan = pendingTopK(this.#db);
    const stats = plan ? writeTopK(this.#db, plan.rank, rankTopK(this.#db, plan.rank, plan)) : { entries: 0, unverified: 0, retired: 0 };
    return { ...stats, ms: performance.now() - t0 };
  }

  /**
   * The B-tree indexes of the docs columns (seal makes sure of them too), built on a thread of their own
   * (builder-thread.ts) while this one waits for nothing: this builder must not write until they are done.
   */
  async indexFields(): Promise<void> {
    await this.#onThread((id) => ({ kind: 'indexFields', id, file: this.#file, spec: this.spec }));
  }

  /** One request on a builder thread started for it. */
  async #onThread(make: (id: number) => BuilderThreadRequest): Promise<Exclude<BuilderThreadResponse, { error: string }>> {
    const thread = createWorkerGroup<BuilderThreadRequest, BuilderThreadResponse>({
      from: import.meta.url,
      module: 'builder-thread',
      workerData: null,
      size: 1,
      thread: 'the builder thread',
      group: 'the builder thread',
    });
    try {
      return await thread.send(make);
    } finally {
      await thread.close();
    }
  }

  /**
   * seal(), with the top-K lists planned and left pending: they are ranked once the generation is live
   * (pipeline/topk-ranking.ts), so the build does not wait for them. `counts`: the terms' document counts when
   * the shards supplied them (else the vocabulary is read here). `mergeFts` false keeps the FTS5 segments as
   * they are (a few spliced shards, each already one segment). Also stores the document count (doc-count.ts) and
   * the frequent exact values' document counts (value-counts.ts). Returns how many lists are pending.
   */
  sealPlanned(topk: SealOptions = {}, counts?: TermCounts, mergeFts = true): { readonly pending: number; readonly ms: number; readonly values: { readonly stored: number; readonly ms: number } } {
    if (mergeFts) optimizeFts(this.#db);
    createFieldIndexes(this.#db, this.spec);
    storeDocCount(this.#db);
    const tv = performance.now();
    const values = { stored: storeValueCounts(this.#db, countedColumns(this.#layout, this.spec.key), topk.valueMinDocs), ms: performance.now() - tv };
    const plan = planTopK(this.#db, this.spec, topk, counts);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    const pending = plan.rank.reduce((n, item) => n + 1 + item.copies.length, 0);
    return { pending, ms: performance.now() - plan.startedAt, values };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
