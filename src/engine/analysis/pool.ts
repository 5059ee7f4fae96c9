// A worker_threads pool that runs index-mode analysis for bulk builds, so segmentation uses every core.
import type { TokenName } from '../../core/schema.js';
import { TidesearchError } from '../../errors/index.js';
import { createWorkerGroup, type WorkerSlot } from '../worker-group.js';
import { BULK_YOUNG_GENERATION_MB } from '../heap-guard.js';
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

export function createAnalysisPool(options: AnalysisPoolOptions = {}): AnalysisPool {
  const init: WorkerInit = { userDictPath: options.userDictPath, stopWordsPath: options.stopWordsPath };
  const group = createWorkerGroup<WorkerRequest, WorkerResponse>({
    from: import.meta.url,
    module: 'analysis-worker',
    workerData: init,
    size: options.size,
    youngGenerationMb: BULK_YOUNG_GENERATION_MB,
    thread: 'analysis worker',
    group: 'the analysis pool',
  });
  const { size, slots, close } = group;
  const send = (make: (id: number) => WorkerRequest, transfer: ArrayBuffer[], to?: WorkerSlot) => group.send(make, transfer, to);

  return {
    size,
    analyze(job: AnalysisJob): Promise<string[]> {
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
      const countAll = async (ends: { slot: WorkerSlot; file: string; counts?: TermCounts | undefined }[]): Promise<TermCounts> => {
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
          // A closed or failed pool's workers are gone or going (the request is refused): the caller deletes what
          // they left.
          await end(false).catch(() => {});
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
