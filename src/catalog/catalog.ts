// The service's metadata: index definitions, generations, tasks and their logs, channels, dead letters, DDL.
// The only code that runs SQL on meta.db. Synchronous (better-sqlite3): every call is one short transaction.
import type { IndexSpec } from '../core/schema.js';
import { openMetaDb, type Db } from './db.js';

export type GenerationState = 'building' | 'live' | 'retired' | 'failed';
export type TaskState = 'running' | 'complete' | 'failed';
export type Stage = 'dump' | 'join' | 'indexBuild' | 'indexBackflow';
export const STAGES: readonly Stage[] = ['dump', 'join', 'indexBuild', 'indexBackflow'];
export type ChannelState = 'running' | 'stopped' | 'failed';

export interface IndexRecord {
  readonly name: string;
  readonly spec: IndexSpec;
  /** The validated datasource, password included: never hand this to a response or a log. */
  readonly datasource: Readonly<Record<string, unknown>>;
  readonly liveGen: number | null;
  readonly createdAt: number;
  readonly latestFullbuildAt: number | null;
  readonly rebuildNeeded: string | null;
}

export interface GenerationRecord {
  readonly indexName: string;
  readonly gen: number;
  readonly state: GenerationState;
  readonly snapshotTs: bigint | null;
  readonly docCount: number | null;
}

export interface StageProgress {
  rowsDone: number;
  rowsTotal: number;
  startedAt?: number;
  finishedAt?: number;
}
export type TaskProgress = Partial<Record<Stage, StageProgress>>;

export interface TaskRecord {
  readonly id: number;
  readonly indexName: string;
  readonly kind: 'fullbuild';
  readonly gen: number | null;
  readonly state: TaskState;
  readonly stage: Stage;
  readonly error: string | null;
  readonly progress: TaskProgress;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ChannelRecord {
  readonly indexName: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly state: ChannelState;
  readonly reason: string | null;
  readonly createdAt: number;
}

export interface DeadLetter {
  readonly id: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly reason: string;
  readonly at: number;
  readonly value: Buffer | null;
}

export interface DdlRecord {
  readonly commitTs: string;
  readonly ddlType: string;
  readonly query: string;
  readonly affectsIndex: boolean;
  readonly at: number;
}

type Row = Record<string, any>;

function toIndex(r: Row): IndexRecord {
  return {
    name: r.name,
    spec: JSON.parse(r.spec),
    datasource: JSON.parse(r.datasource),
    liveGen: r.live_gen,
    createdAt: r.created_at,
    latestFullbuildAt: r.latest_fullbuild_at,
    rebuildNeeded: r.rebuild_needed,
  };
}

function toTask(r: Row): TaskRecord {
  return {
    id: r.id,
    indexName: r.index_name,
    kind: r.kind,
    gen: r.gen,
    state: r.state,
    stage: r.stage,
    error: r.error,
    progress: JSON.parse(r.progress),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class Catalog {
  readonly #db: Db;
  readonly #logMax: number;

  constructor(file: string, opts: { taskLogMaxLines?: number } = {}) {
    this.#db = openMetaDb(file);
    this.#logMax = opts.taskLogMaxLines ?? 5000;
  }

  close(): void {
    this.#db.close();
  }

  // ---- indexes

  createIndex(spec: IndexSpec, datasource: Readonly<Record<string, unknown>>, now = Date.now()): void {
    this.#db
      .prepare('INSERT INTO indexes(name, spec, datasource, created_at) VALUES (?, ?, ?, ?)')
      .run(spec.name, JSON.stringify(spec), JSON.stringify(datasource), now);
  }

  getIndex(name: string): IndexRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM indexes WHERE name = ?').get(name) as Row | undefined;
    return r && toIndex(r);
  }

  listIndexes(): IndexRecord[] {
    return (this.#db.prepare('SELECT * FROM indexes ORDER BY name').all() as Row[]).map(toIndex);
  }

  deleteIndex(name: string): void {
    this.#db.transaction(() => {
      for (const t of ['dead_letters', 'ddl_events']) this.#db.prepare(`DELETE FROM ${t} WHERE index_name = ?`).run(name);
      this.#db.prepare('DELETE FROM task_logs WHERE task_id IN (SELECT id FROM tasks WHERE index_name = ?)').run(name);
      this.#db.prepare('DELETE FROM tasks WHERE index_name = ?').run(name);
      this.#db.prepare('DELETE FROM indexes WHERE name = ?').run(name);
    })();
  }

  markRebuildNeeded(name: string, reason: string | null): void {
    this.#db.prepare('UPDATE indexes SET rebuild_needed = ? WHERE name = ?').run(reason, name);
  }

  // ---- generations

  /** Reserves the next generation number for a build. */
  newGeneration(indexName: string, now = Date.now()): number {
    return this.#db.transaction(() => {
      const r = this.#db.prepare('SELECT next_gen FROM indexes WHERE name = ?').get(indexName) as Row;
      const gen = r.next_gen as number;
      this.#db.prepare('UPDATE indexes SET next_gen = ? WHERE name = ?').run(gen + 1, indexName);
      this.#db
        .prepare("INSERT INTO generations(index_name, gen, state, created_at) VALUES (?, ?, 'building', ?)")
        .run(indexName, gen, now);
      return gen;
    })();
  }

  setGenerationSnapshot(indexName: string, gen: number, snapshotTs: bigint): void {
    this.#db.prepare('UPDATE generations SET snapshot_ts = ? WHERE index_name = ? AND gen = ?').run(snapshotTs.toString(), indexName, gen);
  }

  /** Atomically makes `gen` live and retires the previous live generation. Returns the retired one. */
  swapLive(indexName: string, gen: number, docCount: number, now = Date.now()): number | null {
    return this.#db.transaction(() => {
      const prev = (this.#db.prepare('SELECT live_gen FROM indexes WHERE name = ?').get(indexName) as Row).live_gen as number | null;
      if (prev !== null) this.#db.prepare("UPDATE generations SET state = 'retired' WHERE index_name = ? AND gen = ?").run(indexName, prev);
      this.#db.prepare("UPDATE generations SET state = 'live', doc_count = ? WHERE index_name = ? AND gen = ?").run(docCount, indexName, gen);
      this.#db.prepare('UPDATE indexes SET live_gen = ?, latest_fullbuild_at = ?, rebuild_needed = NULL WHERE name = ?').run(gen, now, indexName);
      return prev;
    })();
  }

  failGeneration(indexName: string, gen: number): void {
    this.#db.prepare("UPDATE generations SET state = 'failed' WHERE index_name = ? AND gen = ?").run(indexName, gen);
  }

  generations(indexName: string): GenerationRecord[] {
    return (this.#db.prepare('SELECT * FROM generations WHERE index_name = ? ORDER BY gen').all(indexName) as Row[]).map((r) => ({
      indexName: r.index_name,
      gen: r.gen,
      state: r.state,
      snapshotTs: r.snapshot_ts === null ? null : BigInt(r.snapshot_ts),
      docCount: r.doc_count,
    }));
  }

  dropGeneration(indexName: string, gen: number): void {
    this.#db.prepare('DELETE FROM generations WHERE index_name = ? AND gen = ?').run(indexName, gen);
  }

  // ---- tasks

  createTask(indexName: string, kind: 'fullbuild', gen: number | null, now = Date.now()): TaskRecord {
    const id = this.#db
      .prepare("INSERT INTO tasks(index_name, kind, gen, state, stage, created_at, updated_at) VALUES (?, ?, ?, 'running', 'dump', ?, ?)")
      .run(indexName, kind, gen, now, now).lastInsertRowid as number;
    return this.getTask(Number(id))!;
  }

  getTask(id: number): TaskRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as Row | undefined;
    return r && toTask(r);
  }

  tasksOf(indexName: string, limit = 20): TaskRecord[] {
    return (this.#db.prepare('SELECT * FROM tasks WHERE index_name = ? ORDER BY id DESC LIMIT ?').all(indexName, limit) as Row[]).map(toTask);
  }

  runningTasks(): TaskRecord[] {
    return (this.#db.prepare("SELECT * FROM tasks WHERE state = 'running' ORDER BY id").all() as Row[]).map(toTask);
  }

  updateTask(id: number, patch: { stage?: Stage; progress?: TaskProgress; gen?: number }, now = Date.now()): void {
    const t = this.getTask(id);
    if (!t) return;
    this.#db
      .prepare('UPDATE tasks SET stage = ?, progress = ?, gen = ?, updated_at = ? WHERE id = ?')
      .run(patch.stage ?? t.stage, JSON.stringify(patch.progress ?? t.progress), patch.gen ?? t.gen, now, id);
  }

  finishTask(id: number, outcome: { ok: true } | { ok: false; error: string }, now = Date.now()): void {
    this.#db
      .prepare('UPDATE tasks SET state = ?, error = ?, updated_at = ? WHERE id = ?')
      .run(outcome.ok ? 'complete' : 'failed', outcome.ok ? null : outcome.error, now, id);
  }

  appendTaskLog(id: number, line: string, now = Date.now()): void {
    this.#db.transaction(() => {
      const r = this.#db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM task_logs WHERE task_id = ?').get(id) as Row;
      const seq = (r.n as number) + 1;
      this.#db.prepare('INSERT INTO task_logs(task_id, seq, at, line) VALUES (?, ?, ?, ?)').run(id, seq, now, line);
      // Bounded: keep the first 100 lines (how it started) and the most recent ones.
      if (seq > this.#logMax) this.#db.prepare('DELETE FROM task_logs WHERE task_id = ? AND seq = ?').run(id, seq - this.#logMax + 100);
    })();
  }

  taskLog(id: number, sinceSeq = 0): { seq: number; at: number; line: string }[] {
    return this.#db.prepare('SELECT seq, at, line FROM task_logs WHERE task_id = ? AND seq > ? ORDER BY seq').all(id, sinceSeq) as any[];
  }

  // ---- channels

  createChannel(indexName: string, config: Readonly<Record<string, unknown>>, now = Date.now()): void {
    this.#db
      .prepare("INSERT INTO channels(index_name, config, state, created_at) VALUES (?, ?, 'running', ?)")
      .run(indexName, JSON.stringify(config), now);
  }

  getChannel(indexName: string): ChannelRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM channels WHERE index_name = ?').get(indexName) as Row | undefined;
    return r && { indexName: r.index_name, config: JSON.parse(r.config), state: r.state, reason: r.reason, createdAt: r.created_at };
  }

  setChannelState(indexName: string, state: ChannelState, reason: string | null): void {
    this.#db.prepare('UPDATE channels SET state = ?, reason = ? WHERE index_name = ?').run(state, reason, indexName);
  }

  deleteChannel(indexName: string): void {
    this.#db.prepare('DELETE FROM channels WHERE index_name = ?').run(indexName);
  }

  // ---- dead letters and DDL

  addDeadLetter(indexName: string, d: { topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null; reason: string }, now = Date.now()): number {
    this.#db
      .prepare('INSERT INTO dead_letters(index_name, topic, partition, offset, key, value, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(indexName, d.topic, d.partition, d.offset, d.key, d.value, d.reason, now);
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM dead_letters WHERE index_name = ?').get(indexName) as Row).n;
  }

  deadLetters(indexName: string, limit = 20): DeadLetter[] {
    return this.#db
      .prepare('SELECT id, topic, partition, offset, reason, at, value FROM dead_letters WHERE index_name = ? ORDER BY id DESC LIMIT ?')
      .all(indexName, limit) as DeadLetter[];
  }

  deadLetterCount(indexName: string): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM dead_letters WHERE index_name = ?').get(indexName) as Row).n;
  }

  addDdl(indexName: string, d: { commitTs: bigint; ddlType: string; query: string; affectsIndex: boolean }, now = Date.now()): void {
    this.#db
      .prepare('INSERT INTO ddl_events(index_name, commit_ts, ddl_type, query, affects_index, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(indexName, d.commitTs.toString(), d.ddlType, d.query, d.affectsIndex ? 1 : 0, now);
  }

  ddlEvents(indexName: string, limit = 20): DdlRecord[] {
    return (this.#db.prepare('SELECT * FROM ddl_events WHERE index_name = ? ORDER BY id DESC LIMIT ?').all(indexName, limit) as Row[]).map((r) => ({
      commitTs: r.commit_ts,
      ddlType: r.ddl_type,
      query: r.query,
      affectsIndex: r.affects_index === 1,
      at: r.at,
    }));
  }
}
