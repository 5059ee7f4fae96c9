// The index lifecycle behind the seven admin calls: create, build into a new generation, swap it in,
// report status, delete. Receives every concrete dependency through IndexServiceDeps (composed in app.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { IndexSpec } from '../core/schema.js';
import type { StreamPosition } from '../core/change.js';
import type { Source } from '../source/source.js';
import type { Catalog, IndexRecord, TaskRecord } from '../catalog/catalog.js';
import { STAGES } from '../catalog/catalog.js';
import type { TaskRunner, TaskContext } from '../tasks/runner.js';
import { TidesearchError } from '../errors/index.js';
import type { Searcher } from '../engine/search/index.js';
import { runFullBuild, type BulkAnalysis } from './full-build.js';
import { rankPendingTopK, type TopKRanker } from './topk-ranking.js';
import { buildIndexSpec } from './index-spec.js';
import type { CreateIndexRequest, DatasourceConfig, IncrConfig } from './requests.js';
import { redactDatasource } from './requests.js';

/** What queries read: an open reader over one generation file. */
export interface LiveReader {
  readonly searcher: Searcher;
  /** Documents in the generation now (changes applied by the channel included). */
  docCount(): number;
  /** Its top-K lists (store/topk-table.ts): ranked, planned but not ranked yet, and retired; null without a table. */
  topK(): { ranked: number; pending: number; retired: number } | null;
  close(): void;
}

/** The incremental channels, as the index lifecycle needs them (implemented by channels.ts). */
export interface ChannelControl {
  start(index: IndexRecord, file: string): Promise<void>;
  stop(indexName: string): Promise<void>;
  /** Stops the channel for good and removes what was created for it (the TiCDC changefeed). */
  remove(indexName: string): Promise<void>;
  /** Positions the new generation must catch up from: taken BEFORE the snapshot. */
  startPositionsForRebuild(index: IndexRecord, incr: IncrConfig): Promise<StreamPosition[]>;
  /**
   * Records `from` (P0) in `file`, catches it up, then calls `swap` with its document count while the channel
   * is paused, and resumes the channel on it. Does nothing when the index has no channel.
   */
  catchUpAndSwap(index: IndexRecord, file: string, snapshotTs: bigint, from: readonly StreamPosition[], swap: (docCount: number) => void, signal: AbortSignal): Promise<void>;
  isRunning(indexName: string): boolean;
}

export interface IndexServiceDeps {
  readonly catalog: Catalog;
  readonly runner: TaskRunner;
  readonly dataDir: string;
  /** `log` receives what the source has to say during a build (snapshot, GC life time, fail-overs). */
  readonly openSource: (d: DatasourceConfig, log?: (line: string) => void) => Promise<Source>;
  /** A fresh worker pool per build, so edits to the user dictionary apply to the next build. */
  readonly analysis: () => BulkAnalysis & TopKRanker & { close(): Promise<void> };
  readonly openReader: (file: string, spec: IndexSpec) => LiveReader;
  readonly channels?: ChannelControl;
  readonly batchRows: number;
  readonly parallel: number;
  /** Terms in more than this many documents of a scope get a top-K list (store/topk-table.ts). */
  readonly topkMinDocs?: number;
  readonly onDeleted?: (indexName: string) => void;
}

export class IndexService {
  readonly #d: IndexServiceDeps;
  readonly #readers = new Map<string, { gen: number; reader: LiveReader }>();
  /** Background top-K ranking of each index's live generation (topk-ranking.ts), while it runs. */
  readonly #ranking = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(deps: IndexServiceDeps) {
    this.#d = deps;
  }

  generationFile(indexName: string, gen: number): string {
    return path.join(this.#d.dataDir, 'indexes', indexName, `gen-${gen}.sqlite`);
  }

  /** After a restart: fail interrupted builds (dropping their files), open live generations, restart channels. */
  async recover(): Promise<void> {
    const { catalog, runner } = this.#d;
    for (const t of runner.recoverInterrupted()) {
      if (t.gen !== null) this.#discardGeneration(t.indexName, t.gen);
    }
    for (const idx of catalog.listIndexes()) {
      for (const g of catalog.generations(idx.name)) {
        if (g.state === 'building' || g.state === 'failed' || g.state === 'retired') this.#discardGeneration(idx.name, g.gen);
      }
      if (idx.liveGen !== null) {
        this.#openLive(idx);
        // Top-K lists still pending when the server stopped are ranked now.
        if ((this.#readers.get(idx.name)?.reader.topK()?.pending ?? 0) > 0) this.#rankInBackground(idx.name, idx.liveGen, this.#d.analysis());
        const ch = catalog.getChannel(idx.name);
        if (ch && ch.state !== 'stopped') await this.#d.channels?.start(idx, this.generationFile(idx.name, idx.liveGen));
      }
    }
  }

  /** do_create: validates against the source, records the index, starts its first build. */
  async create(req: CreateIndexRequest): Promise<{ task: TaskRecord; notes: readonly string[] }> {
    const { catalog } = this.#d;
    if (catalog.getIndex(req.indexName)) {
      throw new TidesearchError('INDEX_EXISTS', `index '${req.indexName}' already exists; delete it with do_delete_index or choose another name`, { field: 'indexName' });
    }
    const { spec, notes } = await this.#describe(req.datasource, req.table, req.columns, req.indexName);
    try {
      catalog.createIndex(spec, req.datasource as unknown as Record<string, unknown>);
    } catch (e) {
      // Two creates of one name raced past the first check while the source was being described.
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new TidesearchError('INDEX_EXISTS', `index '${req.indexName}' already exists`, { field: 'indexName' });
      }
      throw e;
    }
    if (req.incr) catalog.createChannel(req.indexName, req.incr as unknown as Record<string, unknown>);
    const task = this.#startBuild(catalog.getIndex(req.indexName)!);
    return { task, notes };
  }

  /** do_fullbuild: rebuilds into a new generation while the live one keeps serving. */
  fullbuild(indexName: string): TaskRecord {
    return this.#startBuild(this.require(indexName));
  }

  async delete(indexName: string): Promise<void> {
    this.require(indexName);
    await this.#d.runner.cancel(indexName, 'index deleted');
    await this.#stopRanking(indexName);
    await this.#d.channels?.remove(indexName);
    this.#readers.get(indexName)?.reader.close();
    this.#readers.delete(indexName);
    this.#d.catalog.deleteIndex(indexName);
    this.#d.onDeleted?.(indexName);
    fs.rmSync(path.join(this.#d.dataDir, 'indexes', indexName), { recursive: true, force: true });
  }

  require(indexName: string): IndexRecord {
    const idx = this.#d.catalog.getIndex(indexName);
    if (!idx) throw new TidesearchError('INDEX_NOT_FOUND', `no index named '${indexName}'`, { field: 'indexName' });
    return idx;
  }

  reader(indexName: string): LiveReader | undefined {
    return this.#readers.get(indexName)?.reader;
  }

  list(): IndexRecord[] {
    return this.#d.catalog.listIndexes();
  }

  task(taskId: number): TaskRecord {
    const t = this.#d.catalog.getTask(taskId);
    if (!t) throw new TidesearchError('TASK_NOT_FOUND', `no task with id ${taskId}`, { field: 'taskid' });
    return t;
  }

  runningTaskId(indexName: string): number | undefined {
    return this.#d.runner.runningTaskId(indexName);
  }

  async close(): Promise<void> {
    await this.#d.runner.closeAll();
    await Promise.all([...this.#ranking.keys()].map((name) => this.#stopRanking(name)));
    for (const { reader } of this.#readers.values()) reader.close();
    this.#readers.clear();
  }

  // ---- internals

  async #describe(ds: DatasourceConfig, table: string, columns: CreateIndexRequest['columns'], indexName: string) {
    await using source = await this.#d.openSource(ds);
    const schema = await source.describe(ds.dbName, table);
    return buildIndexSpec(indexName, schema, columns);
  }

  #openLive(idx: IndexRecord): void {
    const gen = idx.liveGen!;
    const prev = this.#readers.get(idx.name);
    const reader = this.#d.openReader(this.generationFile(idx.name, gen), idx.spec);
    this.#readers.set(idx.name, { gen, reader });
    // Queries already running on the old reader finish first: better-sqlite3 is synchronous, so by the
    // time this line runs no query holds it.
    prev?.reader.close();
  }

  /**
   * Ranks the pending top-K lists of generation `gen` with `pool` (closed when done), in the background; a
   * ranking of an earlier generation of the index is stopped first. Progress and the outcome go to `log`.
   */
  #rankInBackground(indexName: string, gen: number, pool: TopKRanker & { close(): Promise<void> }, log?: (line: string) => void): void {
    const previous = this.#ranking.get(indexName);
    previous?.abort.abort('a newer generation is live');
    const abort = new AbortController();
    const file = this.generationFile(indexName, gen);
    const done = (async () => {
      await previous?.done;
      try {
        const s = await rankPendingTopK(file, pool, abort.signal);
        if (s.entries + s.unverified + s.retired > 0) {
          log?.(`top-K: ranked ${s.entries} lists of frequent terms in ${Math.round(s.ms)} ms after generation ${gen} went live${s.unverified ? ` (${s.unverified} left to the normal plan: a score could not be reproduced exactly)` : ''}${s.retired ? `; ${s.retired} retired meanwhile by the channel (more than k changed rows hold their terms)` : ''}`);
        }
      } catch (e) {
        if (!abort.signal.aborted) log?.(`top-K: ranking stopped: ${(e as Error).message}; queries of those terms use the normal plan`);
      } finally {
        await pool.close();
        if (this.#ranking.get(indexName)?.abort === abort) this.#ranking.delete(indexName);
      }
    })();
    this.#ranking.set(indexName, { abort, done });
  }

  async #stopRanking(indexName: string): Promise<void> {
    const r = this.#ranking.get(indexName);
    r?.abort.abort('stopped');
    await r?.done;
  }

  #discardGeneration(indexName: string, gen: number): void {
    const file = this.generationFile(indexName, gen);
    // A build killed before its end leaves its threads' FTS shards (`<file>.shard-<thread>`) beside the file.
    const dir = path.dirname(file);
    const shards = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith(`${path.basename(file)}.shard-`)) : [];
    for (const f of [file, `${file}-wal`, `${file}-shm`, ...shards.map((f) => path.join(dir, f))]) fs.rmSync(f, { force: true });
    this.#d.catalog.dropGeneration(indexName, gen);
  }

  #startBuild(idx: IndexRecord): TaskRecord {
    return this.#d.runner.start(idx.name, (ctx) => this.#build(idx, ctx));
  }

  async #build(idx: IndexRecord, ctx: TaskContext): Promise<void> {
    const { catalog } = this.#d;
    const gen = catalog.newGeneration(idx.name);
    catalog.updateTask(ctx.taskId, { gen });
    const file = this.generationFile(idx.name, gen);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const ds = idx.datasource as unknown as DatasourceConfig;
    ctx.log(`build of index '${idx.name}' from ${ds.dbName}.${idx.spec.table} into generation ${gen}; datasource ${JSON.stringify(redactDatasource(ds))}`);
    const channel = catalog.getChannel(idx.name);
    const incr = channel ? (channel.config as unknown as IncrConfig) : undefined;
    const channels = this.#d.channels;
    let p0: StreamPosition[] | undefined;
    const pool = this.#d.analysis();
    let handedOff = false;
    try {
      await using source = await this.#d.openSource(ds, (line) => ctx.log(`source: ${line}`));
      const schema = await source.describe(ds.dbName, idx.spec.table);
      // The table may have changed since the index was defined: every indexed column must still exist.
      buildIndexSpec(idx.name, schema, idx.spec.fields.map((f) => ({ name: f.name, token: f.token, search: f.search })));
      const swap = (docCount: number, snapshotTs: bigint) => {
        catalog.setGenerationSnapshot(idx.name, gen, snapshotTs);
        // The retired generation's ranking (if still running) reads a file about to be removed.
        this.#ranking.get(idx.name)?.abort.abort('a newer generation is live');
        const retired = catalog.swapLive(idx.name, gen, docCount);
        this.#openLive(catalog.getIndex(idx.name)!);
        if (retired !== null) this.#discardGeneration(idx.name, retired);
        ctx.log(`indexBackflow: generation ${gen} is live (${docCount} documents)${retired !== null ? `; generation ${retired} retired` : ''}`);
      };
      let swapped = false;
      const result = await runFullBuild({
        spec: idx.spec,
        schema,
        source,
        analysis: pool,
        file,
        batchRows: this.#d.batchRows,
        parallel: this.#d.parallel,
        ...(this.#d.topkMinDocs !== undefined ? { topkMinDocs: this.#d.topkMinDocs } : {}),
        ctx,
        ...(incr && channels
          ? {
              beforeSnapshot: async () => {
                p0 = await channels.startPositionsForRebuild(idx, incr);
                ctx.log(`dump: change stream positions before the snapshot: ${p0.map((p) => `${p.topic}-${p.partition}@${p.offset}`).join(', ') || '(none)'}`);
              },
              backflow: async (f: string, S: bigint) => {
                await channels.catchUpAndSwap(catalog.getIndex(idx.name)!, f, S, p0 ?? [], (docCount) => {
                  swap(docCount, S);
                  swapped = true;
                }, ctx.signal);
              },
            }
          : {}),
      });
      if (!swapped) swap(result.docCount, result.snapshotTs);
      for (const s of STAGES) if (!ctx.signal.aborted) ctx.progress(s, result.docCount, result.docCount);
      // The build is done; its threads go on to rank the top-K lists of the now live generation.
      this.#rankInBackground(idx.name, gen, pool, (line) => ctx.log(line));
      handedOff = true;
    } catch (e) {
      if (catalog.getIndex(idx.name)) {
        catalog.failGeneration(idx.name, gen);
        this.#discardGeneration(idx.name, gen);
      }
      throw e;
    } finally {
      if (!handedOff) await pool.close();
    }
  }

  /** Documents in the live generation, or null before the first build completes. */
  docCount(indexName: string): number | null {
    return this.#readers.get(indexName)?.reader.docCount() ?? null;
  }
}
