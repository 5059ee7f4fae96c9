// A fixed group of sibling worker threads that answer requests by id: the analysis pool of a build and the
// channels' worker threads. A request goes to the least busy thread (or to one chosen), its answer resolves
// the caller's promise and an `{error}` answer rejects it. A thread that crashes or exits fails the group:
// its pending requests and every later one are rejected with that error, so the build or channel using it
// stops with the reason. (The search pool replaces a dead thread instead, and keeps its own bookkeeping.)
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { TidesearchError } from '../errors/index.js';
import { spawnSiblingWorker } from './sibling-worker.js';

/** One thread of the group, to address a request to it. */
export interface WorkerSlot {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (res: never) => void; reject: (e: unknown) => void }>;
}

export interface WorkerGroup<Req, Res> {
  readonly size: number;
  readonly slots: readonly WorkerSlot[];
  /** Sends `make(id)` to `to`, or else to the least busy thread; resolves with its answer. */
  send(make: (id: number) => Req, transfer?: ArrayBuffer[], to?: WorkerSlot): Promise<Res>;
  /** Rejects what is pending with SHUTTING_DOWN and stops the threads. */
  close(): Promise<void>;
}

export interface WorkerGroupOptions {
  /** The caller's import.meta.url and the worker module beside it (sibling-worker.ts). */
  readonly from: string;
  readonly module: string;
  readonly workerData: unknown;
  /** Threads; default os.availableParallelism(). */
  readonly size?: number | undefined;
  /** Caps each thread's young generation (heap-guard.ts says why a bulk-work thread wants it small). */
  readonly youngGenerationMb?: number;
  /** How errors name one thread ("analysis worker") and the group ("the analysis pool"). */
  readonly thread: string;
  readonly group: string;
}

export function createWorkerGroup<Req, Res extends { readonly id: number }>(o: WorkerGroupOptions): WorkerGroup<Req, Exclude<Res, { readonly error: string }>> {
  type Ok = Exclude<Res, { readonly error: string }>;
  const size = Math.max(1, o.size ?? availableParallelism());
  let nextId = 1;
  let failure: Error | undefined;
  let closed = false;

  const fail = (slot: WorkerSlot, err: Error): void => {
    failure ??= err;
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };

  const slots: WorkerSlot[] = [];
  for (let i = 0; i < size; i++) {
    const worker = spawnSiblingWorker(o.from, o.module, o.workerData, o.youngGenerationMb ? { maxYoungGenerationSizeMb: o.youngGenerationMb } : undefined);
    const slot: WorkerSlot = { worker, pending: new Map() };
    worker.on('message', (res: Res) => {
      const p = slot.pending.get(res.id);
      if (p === undefined) return;
      slot.pending.delete(res.id);
      if ('error' in res) p.reject(new TidesearchError('INTERNAL', `${o.thread} failed: ${String(res.error)}`));
      else p.resolve(res as never);
    });
    worker.on('error', (e) => fail(slot, new TidesearchError('INTERNAL', `${o.thread} crashed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      if (!closed) fail(slot, new TidesearchError('INTERNAL', `${o.thread} exited with code ${code}`));
    });
    slots.push(slot);
  }

  return {
    size,
    slots,
    send(make, transfer = [], to) {
      if (closed) return Promise.reject(new TidesearchError('SHUTTING_DOWN', `${o.group} is closed`));
      if (failure) return Promise.reject(failure);
      let slot = to ?? slots[0]!;
      if (!to) for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
      const id = nextId++;
      return new Promise<Ok>((resolve, reject) => {
        slot.pending.set(id, { resolve: resolve as (res: never) => void, reject });
        slot.worker.postMessage(make(id), transfer);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const err = new TidesearchError('SHUTTING_DOWN', `${o.group} was closed before the job finished`);
      for (const s of slots) {
        for (const p of s.pending.values()) p.reject(err);
        s.pending.clear();
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
