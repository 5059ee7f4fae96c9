// Messages between the search pool (search-pool.ts) and its worker threads (search-worker.ts), and how a
// TidesearchError crosses the thread boundary (structured clone keeps plain data only).
import type { IndexSpec } from '../../core/schema.js';
import { TidesearchError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/codes.js';
import type { Doc, SearchRequest, SearchResult } from './request.js';

export interface SearchWorkerInit {
  readonly userDictPath?: string | undefined;
  readonly stopWordsPath?: string | undefined;
}

/**
 * `open` registers a generation under a handle (the worker opens its connection on first use); `close`
 * releases it. A worker handles its messages in order, so a search posted before a close is answered first.
 */
export type SearchWorkerRequest =
  | { readonly op: 'open'; readonly handle: number; readonly path: string; readonly spec: IndexSpec }
  | { readonly op: 'close'; readonly handle: number }
  | { readonly op: 'search'; readonly id: number; readonly handle: number; readonly req: SearchRequest }
  | { readonly op: 'get'; readonly id: number; readonly handle: number; readonly keys: readonly string[]; readonly fl: string | undefined };

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly field: string | undefined;
  readonly retriable: boolean;
  readonly stack: string | undefined;
}

export type SearchWorkerResponse =
  | { readonly id: number; readonly result: SearchResult }
  | { readonly id: number; readonly docs: readonly Doc[] }
  | { readonly id: number; readonly error: WireError };

export function toWire(e: unknown): WireError {
  if (e instanceof TidesearchError) return { code: e.code, message: e.message, field: e.field, retriable: e.retriable, stack: e.stack };
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: 'INTERNAL', message: err.message, field: undefined, retriable: false, stack: err.stack };
}

export function fromWire(w: WireError): TidesearchError {
  const cause = Object.assign(new Error(w.message), { stack: w.stack });
  return new TidesearchError(w.code, w.message, { ...(w.field === undefined ? {} : { field: w.field }), retriable: w.retriable, cause });
}
