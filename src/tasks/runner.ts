// Runs long tasks (full builds) in the background: one per index at a time, state and progress persisted
// in the catalog so that a poll, a restart or a crash all see the same truth.
import type { Catalog, Stage, TaskProgress, TaskRecord } from '../catalog/catalog.js';
import { TidesearchError, asTidesearchError } from '../errors/index.js';

export interface TaskContext {
  readonly taskId: number;
  readonly indexName: string;
  readonly signal: AbortSignal;
  log(line: string): void;
  stage(stage: Stage): void;
  progress(stage: Stage, rowsDone: number, rowsTotal: number): void;
}

export interface TaskListener {
  onProgress?(t: { taskId: number; indexName: string; stage: Stage; progress: TaskProgress }): void;
  onFinished?(t: { taskId: number; indexName: string; ok: boolean; error?: string; ms: number }): void;
  onLog?(t: { taskId: number; indexName: string; line: string }): void;
}

const PERSIST_EVERY_MS = 500;

export class TaskRunner {
  readonly #catalog: Catalog;
  readonly #running = new Map<string, { taskId: number; abort: AbortController; done: Promise<void> }>();
  readonly #listener: TaskListener;

  constructor(catalog: Catalog, listener: TaskListener = {}) {
    this.#catalog = catalog;
    this.#listener = listener;
  }

  /** Tasks that were running when the process died are failed with a reason (their generation is discarded). */
  recoverInterrupted(): TaskRecord[] {
    const interrupted = this.#catalog.runningTasks();
    for (const t of interrupted) {
      const reason = `interrupted: the server stopped during stage ${t.stage}; the previous generation kept serving. Run do_fullbuild again.`;
      this.#catalog.appendTaskLog(t.id, reason);
      this.#catalog.finishTask(t.id, { ok: false, error: reason });
    }
    return interrupted;
  }

  isRunning(indexName: string): boolean {
    return this.#running.has(indexName);
  }

  runningTaskId(indexName: string): number | undefined {
    return this.#running.get(indexName)?.taskId;
  }

  /** Starts `work` as a task of `indexName`; refuses if one is running. Returns at once. */
  start(indexName: string, work: (ctx: TaskContext) => Promise<void>): TaskRecord {
    const running = this.#running.get(indexName);
    if (running) {
      throw new TidesearchError('TASK_RUNNING', `index '${indexName}' already has a build running (taskid ${running.taskId}); poll do_get_task_status and retry when it completes`, { field: 'indexName' });
    }
    const task = this.#catalog.createTask(indexName, 'fullbuild', null);
    const abort = new AbortController();
    const started = Date.now();
    let progress: TaskProgress = {};
    let stage: Stage = 'dump';
    let lastPersist = 0;
    const persist = (force = false) => {
      const now = Date.now();
      if (!force && now - lastPersist < PERSIST_EVERY_MS) return;
      lastPersist = now;
      this.#catalog.updateTask(task.id, { stage, progress });
    };
    const ctx: TaskContext = {
      taskId: task.id,
      indexName,
      signal: abort.signal,
      log: (line) => {
        this.#catalog.appendTaskLog(task.id, line);
        this.#listener.onLog?.({ taskId: task.id, indexName, line });
      },
      stage: (s) => {
        stage = s;
        const p = progress[s] ?? { rowsDone: 0, rowsTotal: 0 };
        progress = { ...progress, [s]: { ...p, startedAt: p.startedAt ?? Date.now() } };
        persist(true);
        this.#listener.onProgress?.({ taskId: task.id, indexName, stage, progress });
      },
      progress: (s, rowsDone, rowsTotal) => {
        const p = progress[s];
        const finishedAt = rowsTotal > 0 && rowsDone >= rowsTotal ? (p?.finishedAt ?? Date.now()) : undefined;
        progress = { ...progress, [s]: { rowsDone, rowsTotal, startedAt: p?.startedAt ?? Date.now(), ...(finishedAt ? { finishedAt } : {}) } };
        persist();
        this.#listener.onProgress?.({ taskId: task.id, indexName, stage, progress });
      },
    };
    const done = (async () => {
      try {
        await work(ctx);
        persist(true);
        this.#catalog.finishTask(task.id, { ok: true });
        this.#listener.onFinished?.({ taskId: task.id, indexName, ok: true, ms: Date.now() - started });
      } catch (e) {
        const err = asTidesearchError(e);
        const msg = abort.signal.aborted ? `cancelled: ${String(abort.signal.reason ?? 'stopped')}` : err.message;
        persist(true);
        try {
          ctx.log(`FAILED: ${msg}`);
          this.#catalog.finishTask(task.id, { ok: false, error: msg });
        } catch {
          // The catalog may be closed when the server is shutting down; the restart marks the task failed.
        }
        this.#listener.onFinished?.({ taskId: task.id, indexName, ok: false, error: msg, ms: Date.now() - started });
      } finally {
        this.#running.delete(indexName);
      }
    })();
    this.#running.set(indexName, { taskId: task.id, abort, done });
    return task;
  }

  /** Cancels the index's running task (if any) and waits for it to end. */
  async cancel(indexName: string, reason: string): Promise<void> {
    const r = this.#running.get(indexName);
    if (!r) return;
    r.abort.abort(reason);
    await r.done;
  }

  async closeAll(reason = 'server stopping'): Promise<void> {
    await Promise.all([...this.#running.keys()].map((n) => this.cancel(n, reason)));
  }
}
