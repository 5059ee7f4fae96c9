// The messages between the analysis pool and its workers. Texts travel as ONE concatenated string plus a
// length table, because structured-cloning one string is far cheaper than an array of many small ones.
import type { TokenName } from '../../core/schema.js';
import type { RankedList, TermCounts, TopKItem } from '../store/topk-table.js';

export type WorkerRequest = AnalyzeRequest | ShardRequest | ShardEndRequest | ShardCountsRequest | TopKRequest;

export interface AnalyzeRequest {
  readonly kind: 'analyze';
  readonly id: number;
  /** Analyzer per field; text i uses tokens[i % tokens.length]. */
  readonly tokens: readonly TokenName[];
  readonly text: string;
  /** UTF-16 length of each text in `text`; -1 for null. */
  readonly lengths: Int32Array;
}

/**
 * A full build's batch: analyse it and write the tokens into this thread's FTS shard of the build
 * (store/fts-shard.ts; the file is `${build}.shard-${threadId}`). Answered with the rows written.
 */
export interface ShardRequest {
  readonly kind: 'shard';
  readonly id: number;
  /** The generation file being built; shards live beside it. */
  readonly build: string;
  /** FTS5 column names, in order. */
  readonly columns: readonly string[];
  readonly tokens: readonly TokenName[];
  readonly rids: Float64Array;
  readonly text: string;
  readonly lengths: Int32Array;
}

/** Ends this thread's shard of `build`: `keep` merges and closes it (answered with its file, or null if the
 *  thread got no batch, and with the counts of its terms in more than `floor` documents when asked:
 *  store/topk-table.ts frequentTermCounts), else it is deleted. */
export interface ShardEndRequest {
  readonly kind: 'shard-end';
  readonly id: number;
  readonly build: string;
  readonly keep: boolean;
  readonly floor?: number;
}

/** The exact counts of `terms` in a finished shard file (store/topk-table.ts termCounts). */
export interface ShardCountsRequest {
  readonly kind: 'shard-counts';
  readonly id: number;
  readonly shard: string;
  readonly terms: readonly string[];
}

/** Ranks top-K lists on a read-only connection to a sealed generation file (store/topk-table.ts). */
export interface TopKRequest {
  readonly kind: 'topk';
  readonly id: number;
  readonly file: string;
  readonly items: readonly TopKItem[];
  readonly k: number;
  readonly rows: number;
  readonly tokens: number;
}

export type WorkerResponse =
  | { readonly id: number; readonly text: string; readonly lengths: Int32Array }
  | { readonly id: number; readonly lists: readonly RankedList[] }
  | { readonly id: number; readonly rows: number }
  | { readonly id: number; readonly shard: string | null; readonly counts?: TermCounts }
  | { readonly id: number; readonly counts: TermCounts }
  | { readonly id: number; readonly error: string };

export interface WorkerInit {
  readonly userDictPath?: string | undefined;
  readonly stopWordsPath?: string | undefined;
}

export function packTexts(texts: readonly (string | null)[]): { text: string; lengths: Int32Array } {
  const lengths = new Int32Array(texts.length);
  const parts: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (t === null || t === undefined) lengths[i] = -1;
    else {
      lengths[i] = t.length;
      parts.push(t);
    }
  }
  return { text: parts.join(''), lengths };
}

/** Inverse of packTexts; null entries come back as null. */
export function unpackTexts(text: string, lengths: Int32Array): (string | null)[] {
  const out: (string | null)[] = new Array(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const n = lengths[i]!;
    if (n < 0) out[i] = null;
    else {
      out[i] = text.slice(at, at + n);
      at += n;
    }
  }
  return out;
}
