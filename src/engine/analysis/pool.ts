// A worker_threads pool that runs index-mode analysis for bulk builds, so segmentation uses every core.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { TokenName } from '../../core/schema.js';
import { TidesearchError } from '../../errors/index.js';
import { spawnSiblingWorker } from '../sibling-worker.js';
import { addTermCounts, type RankedList, type TermCounts, type TopKItem, type TopKPlan } from '../store/topk-table.js';
import { packTexts, unpackTexts, type WorkerInit, type WorkerRequest, type WorkerResponse } from './pool-protocol.js';

export interface AnalysisPoolOptions {
  /** Worker threads; default os.availableParallelism(). */
  readonly size?: number;
  readonly userDictPath?: string | undefined;
  readonly stopWordsPath?: string | undefined;
}

export interface AnalysisJob {
  /** The analyzer of each field. */
  readonly tokens: readonly TokenName[];
  /** Row-major: rows × fields; text i is analyzed with tokens[i % tokens.length]. */
  readonly texts: readonly (string | null)[];
}

export interface AnalysisPool extends AsyncDisposable {
  readonly size: number;
  /**
   * Per input text, its index-mode tokens joined by ' ' ('' for null). One job runs on one worker; submit
   * several jobs at once (e.g. batches of ~500 rows) to keep every worker busy.
   */
  analyze(job: AnalysisJob): Promise<string[]>;
  /**
   * Full-build indexing: each batch is analysed and written into the FTS shard of the thread that takes it
   * (store/fts-shard.ts), so FTS5 writes run on every core; the generation splices the shards in at the end.
   */
  shardedIndexer(build: string, columns: readonly string[]): ShardedIndexer;
  /**
   * Ranks top-K lists of a sealed generation `file` (also a live one) on every worker (each opens the file
   * read-only); the lists come back in the order of `items`.
   */
  rankTopK(file: string, items: readonly TopKItem[], plan: Pick<TopKPlan, 'k' | 'rows' | 'tokens'>): Promise<RankedList[]>;
  close(): Promise<void>;
}

export interface ShardedIndexer {
  /** Analyses and stores one batch (row-major texts, rids.length × tokens.length); resolves when written. */
  add(job: AnalysisJob & { readonly rids: readonly number[] }): Promise<void>;
  /**
   * Merges and closes every thread's shard; the files that hold rows (the caller splices, then deletes them).
   * With `minDocs`, also the exact counts, over all shards, of every term that may be in more than minDocs
   * documents (the top-K plan's input), read in the threads.
   */
  finish(minDocs?: number): Promise<{ files: string[]; counts?: TermCounts }>;
  /** Deletes every thread's shard (a failed or cancelled build). */
  discard(): Promise<void>;
}

interface Pending {
  readonly resolve: (res: WorkerResponse) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

export function createAnalysisPool(options: AnalysisPoolOptions = {}): AnalysisPool {
  const size = Math.max(1, options.size ?? availableParallelism());
  const init: WorkerInit = { userDictPath: options.userDictPath, stopWordsPath: options.stopWordsPath };
  let nextId = 1;
  let failure: Error | undefined;
  let closed = false;

  const fail = (slot: Slot, err: Error): void => {
    failure ??= err;
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };

  const slots: Slot[] = [];
  for (let i = 0; i < size; i++) {
    const worker = spawnSiblingWorker(import.meta.url, 'analysis-worker', init);
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (res: WorkerResponse) => {
      const p = slot.pending.get(res.id);
      if (p === undefined) return;
      slot.pending.delete(res.id);
      if ('error' in res) p.reject(new TidesearchError('INTERNAL', `analysis worker failed: ${res.error}`));
      else p.resolve(res);
    });
    worker.on('error', (e) => fail(slot, new TidesearchError('INTERNAL', `analysis worker crashed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      if (!closed) fail(slot, new TidesearchError('INTERNAL', `analysis worker exited with code ${code}`));
    });
    slots.push(slot);
  }

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const err = new TidesearchError('SHUTTING_DOWN', 'the analysis pool was closed before the job finished');
    for (const s of slots) {
      for (const p of s.pending.values()) p.reject(err);
      s.pending.clear();
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  };

  /** Sends a request to `to`, or else to the least busy worker. */
  const send = (make: (id: number) => WorkerRequest, transfer: ArrayBuffer[], to?: Slot): Promise<WorkerResponse> => {
    if (closed) return Promise.reject(new TidesearchError('SHUTTING_DOWN', 'the analysis pool is closed'));
    if (failure) return Promise.reject(failure);
    let slot = to ?? slots[0]!;
    if (!to) for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = nextId++;
    return new Promise<WorkerResponse>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage(make(id), transfer);
    });
  };

  return {
    size,
    analyze(job: AnalysisJob): Promise<string[]> {
      if (closed) return Promise.reject(new TidesearchError('SHUTTING_DOWN', 'the analysis pool is closed'));
      if (failure) return Promise.reject(failure);
      if (job.tokens.length === 0 || job.texts.length % job.tokens.length !== 0) {
        return Promise.reject(new TidesearchError('INTERNAL', `analysis job has ${job.texts.length} texts for ${job.tokens.length} fields; texts must be rows × fields`));
      }
      const packed = packTexts(job.texts);
      return send((id) => ({ kind: 'analyze', id, tokens: job.tokens, text: packed.text, lengths: packed.lengths }), [packed.lengths.buffer as ArrayBuffer]).then((res) => {
        if (!('text' in res)) throw new TidesearchError('INTERNAL', 'analysis worker answered an analysis job with something else');
        return unpackTexts(res.text, res.lengths) as string[];
      });
    },
    shardedIndexer(build: string, columns: readonly string[]): ShardedIndexer {
      const end = async (keep: boolean, floor?: number) => {
        const ends = await Promise.all(
          slots.map(async (slot) => {
            const res = await send((id) => ({ kind: 'shard-end', id, build, keep, ...(floor !== undefined ? { floor } : {}) }), [], slot);
            if (!('shard' in res)) throw new TidesearchError('INTERNAL', 'analysis worker answered a shard end with something else');
            return { slot, file: res.shard, counts: res.counts };
          }),
        );
        return ends.filter((e): e is typeof e & { file: string } => e.file !== null);
      };
      /** Sums the shards' counts; a shard that did not report a candidate term (rare there) is asked for it. */
      const countAll = async (ends: { slot: Slot; file: string; counts?: TermCounts | undefined }[]): Promise<TermCounts> => {
        const total: TermCounts = { cols: new Map(), rows: new Map() };
        const candidates = new Set(ends.flatMap((e) => [...(e.counts?.cols.keys() ?? [])]));
        const extra = await Promise.all(
          ends.map(async (e) => {
            const terms = [...candidates].filter((t) => !e.counts?.cols.has(t));
            if (terms.length === 0) return null;
            const res = await send((id) => ({ kind: 'shard-counts', id, shard: e.file, terms }), [], e.slot);
            if (!('counts' in res) || res.counts === undefined) throw new TidesearchError('INTERNAL', 'analysis worker answered a count with something else');
            return res.counts;
          }),
        );
        for (const c of [...ends.map((e) => e.counts), ...extra]) if (c) addTermCounts(total, c);
        return total;
      };
      return {
        async add(job) {
          if (job.tokens.length === 0 || job.texts.length !== job.rids.length * job.tokens.length) {
            throw new TidesearchError('INTERNAL', `indexing job has ${job.texts.length} texts for ${job.rids.length} rows × ${job.tokens.length} fields`);
          }
          const packed = packTexts(job.texts);
          const rids = Float64Array.from(job.rids);
          const res = await send(
            (id) => ({ kind: 'shard', id, build, columns, tokens: job.tokens, rids, text: packed.text, lengths: packed.lengths }),
            [packed.lengths.buffer as ArrayBuffer, rids.buffer as ArrayBuffer],
          );
          if (!('rows' in res)) throw new TidesearchError('INTERNAL', 'analysis worker answered an indexing job with something else');
        },
        async finish(minDocs) {
          const ends = await end(true, minDocs === undefined ? undefined : minDocs / slots.length);
          const files = ends.map((e) => e.file);
          return minDocs === undefined ? { files } : { files, counts: await countAll(ends) };
        },
        async discard() {
          // A closed or failed pool's workers are gone or going: the caller deletes what they left.
          if (!closed && !failure) await end(false);
        },
      };
    },
    async rankTopK(file: string, items: readonly TopKItem[], plan: Pick<TopKPlan, 'k' | 'rows' | 'tokens'>): Promise<RankedList[]> {
      // Interleaved shares: items come grouped by scope and size, so every worker gets a like mix.
      const shares: { at: number[]; items: TopKItem[] }[] = slots.map(() => ({ at: [], items: [] }));
      items.forEach((item, i) => {
        shares[i % shares.length]!.at.push(i);
        shares[i % shares.length]!.items.push(item);
      });
      const out: RankedList[] = new Array(items.length).fill(null);
      await Promise.all(
        shares
          .filter((s) => s.items.length > 0)
          .map(async (s) => {
            const res = await send((id) => ({ kind: 'topk', id, file, items: s.items, k: plan.k, rows: plan.rows, tokens: plan.tokens }), []);
            if (!('lists' in res)) throw new TidesearchError('INTERNAL', 'analysis worker answered a top-K job with something else');
            res.lists.forEach((list, j) => (out[s.at[j]!] = list));
          }),
      );
      return out;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
