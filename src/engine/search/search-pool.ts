// A small pool of search threads, so that searches (synchronous SQLite work) run beside the event loop and
// beside each other instead of queueing on it. Each worker opens its own read-only connection per generation
// (see search-worker.ts); the main thread only routes requests and answers.
//  - open(path, spec) registers a generation on every worker and returns its Searcher; close() unregisters it.
//    A worker answers its messages in order, so searches asked for before close() still finish on the old
//    generation, and nothing is asked of it after (the index service swaps readers only between requests).
//  - Writes by the change channel reach every worker's connection through SQLite itself: each worker's result
//    cache is keyed to its connection's data_version, as the in-thread searcher's is.
//  - A request goes to the worker with the fewest outstanding requests; among equally busy ones, to the one
//    its query text hashes to, so repeated queries (paging) find that worker's result cache warm.
//  - Workers start on the first search; one that dies fails its outstanding requests and is replaced on the next.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { IndexSpec } from '../../core/schema.js';
import { TidesearchError } from '../../errors/index.js';
import { spawnSiblingWorker } from '../sibling-worker.js';
import type { Doc, SearchRequest, SearchResult } from './request.js';
import { fromWire, type SearchWorkerInit, type SearchWorkerRequest, type SearchWorkerResponse } from './search-protocol.js';
import type { Searcher } from './searcher.js';

export interface SearchPoolOptions extends SearchWorkerInit {
  /** Search threads; default min(os.availableParallelism(), 4). */
  readonly size?: number;
}

export interface SearchPool {
  readonly size: number;
  /** A searcher over the generation file at `path`, answered by the pool's threads. */
  open(path: string, spec: IndexSpec): Searcher;
  /** Stops the threads; outstanding requests fail with SHUTTING_DOWN. */
  close(): Promise<void>;
}

interface Pending {
  readonly resolve: (v: SearchWorkerResponse) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

export function createSearchPool(options: SearchPoolOptions = {}): SearchPool {
  const size = Math.max(1, options.size ?? Math.min(availableParallelism(), 4));
  const init: SearchWorkerInit = { userDictPath: options.userDictPath, stopWordsPath: options.stopWordsPath };
  const slots: Slot[] = [];
  // Generations currently open: a worker started (or restarted) later is told about each of them first.
  const open = new Map<number, Extract<SearchWorkerRequest, { op: 'open' }>>();
  let nextHandle = 1;
  let nextId = 1;
  let closed = false;

  const start = (): Slot => {
    const worker = spawnSiblingWorker(import.meta.url, 'search-worker', init);
    const s: Slot = { worker, pending: new Map() };
    const fail = (err: TidesearchError): void => {
      for (const p of s.pending.values()) p.reject(err);
      s.pending.clear();
    };
    worker.on('message', (res: SearchWorkerResponse) => {
      const p = s.pending.get(res.id);
      if (p === undefined) return;
      s.pending.delete(res.id);
      if ('error' in res) p.reject(fromWire(res.error));
      else p.resolve(res);
    });
    worker.on('error', (e) => fail(new TidesearchError('INTERNAL', `search thread failed: ${e.message}`, { cause: e })));
    // A dead worker leaves the pool; the next request starts a replacement (no restart loop if starting fails).
    worker.on('exit', (code) => {
      if (closed) return;
      fail(new TidesearchError('INTERNAL', `search thread exited with code ${code}`));
      const at = slots.indexOf(s);
      if (at >= 0) slots.splice(at, 1);
    });
    for (const m of open.values()) worker.postMessage(m);
    return s;
  };

  const ensureStarted = (): void => {
    while (slots.length < size) slots.push(start());
  };

  type Ask = { readonly op: 'search'; readonly handle: number; readonly req: SearchRequest } | { readonly op: 'get'; readonly handle: number; readonly keys: readonly string[]; readonly fl: string | undefined };
  const ask = (m: Ask, affinity: number): Promise<SearchWorkerResponse> => {
    if (closed) return Promise.reject(new TidesearchError('SHUTTING_DOWN', 'the server is stopping; retry on another replica or after restart'));
    ensureStarted();
    let best = slots[affinity % slots.length]!;
    for (const s of slots) if (s.pending.size < best.pending.size) best = s;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      best.pending.set(id, { resolve, reject });
      best.worker.postMessage({ ...m, id } as SearchWorkerRequest);
    });
  };

  const post = (m: SearchWorkerRequest): void => {
    for (const s of slots) s.worker.postMessage(m);
  };

  return {
    size,
    open(path: string, spec: IndexSpec): Searcher {
      if (closed) throw new TidesearchError('SHUTTING_DOWN', 'the server is stopping');
      const handle = nextHandle++;
      const msg = { op: 'open', handle, path, spec } as const;
      open.set(handle, msg);
      post(msg);
      let isOpen = true;
      const notOpen = () => Promise.reject(new TidesearchError('INTERNAL', `the searcher of ${path} was closed`));
      return {
        spec,
        async search(req: SearchRequest): Promise<SearchResult> {
          if (!isOpen) return notOpen();
          const res = await ask({ op: 'search', handle, req }, affinityOf(req));
          return (res as { result: SearchResult }).result;
        },
        async get(keys: readonly string[], fl?: string): Promise<readonly Doc[]> {
          if (!isOpen) return notOpen();
          const res = await ask({ op: 'get', handle, keys, fl }, 0);
          return (res as { docs: readonly Doc[] }).docs;
        },
        close(): void {
          if (!isOpen) return;
          isOpen = false;
          open.delete(handle);
          if (!closed) post({ op: 'close', handle });
        },
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const err = new TidesearchError('SHUTTING_DOWN', 'the search pool was closed before the search finished');
      for (const s of slots) {
        for (const p of s.pending.values()) p.reject(err);
        s.pending.clear();
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

// FNV-1a over what selects the ranked rows, so a query and its later pages prefer one worker.
function affinityOf(req: SearchRequest): number {
  const text = `${req.q ?? ''}\u0000${(req.fq ?? []).join('\u0000')}\u0000${req.sort ?? ''}\u0000${req.defType ?? ''}\u0000${req.qf ?? req.df ?? ''}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
