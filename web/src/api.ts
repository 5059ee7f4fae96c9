// Browser client for the admin envelope, Solr select and chart history. Sends the admin token kept in
// localStorage; reports "unauthorized" so the app can ask for the token once.
import type { TaskStatus } from '../../src/cli/task-progress.js';

export interface FieldError {
  readonly name: string;
  readonly content: string;
}

const unauthorizedListeners = new Set<() => void>();
/** The app shows the token dialog when a call is refused for lack of the admin token. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export class ApiError extends Error {
  readonly errormsg: readonly string[];
  readonly errorfields: readonly FieldError[];
  readonly unauthorized: boolean;
  constructor(errormsg: readonly string[], errorfields: readonly FieldError[] = [], unauthorized = false) {
    super(errormsg.join('; ') || 'request failed');
    this.errormsg = errormsg;
    this.errorfields = errorfields;
    this.unauthorized = unauthorized;
    if (unauthorized) for (const l of unauthorizedListeners) l();
  }
}

const TOKEN_KEY = 'tidesearch.token';

export const tokenStore = {
  get: (): string => localStorage.getItem(TOKEN_KEY) ?? '',
  set: (t: string): void => localStorage.setItem(TOKEN_KEY, t),
};

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = tokenStore.get();
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

const looksUnauthorized = (status: number, env: { errorcode?: string }): boolean => status === 401 || env.errorcode === 'UNAUTHORIZED';

export async function admin<T>(emethod: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/solr/config/config.ajax?action=collection_action&emethod=${emethod}`, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError([`server unreachable: ${(err as Error).message}`]);
  }
  let env: { success?: boolean; errormsg?: string[]; errorfields?: FieldError[]; bizresult?: T; errorcode?: string };
  try {
    env = (await res.json()) as typeof env;
  } catch {
    throw new ApiError([`unexpected answer (HTTP ${res.status})`], [], res.status === 401);
  }
  if (env.success !== true) {
    throw new ApiError(env.errormsg?.length ? env.errormsg : [`${emethod} failed (HTTP ${res.status})`], env.errorfields ?? [], looksUnauthorized(res.status, env));
  }
  return (env.bizresult ?? {}) as T;
}

export interface SelectResult {
  readonly responseHeader?: { readonly QTime?: number };
  readonly response?: { readonly numFound: number; readonly docs: readonly Record<string, unknown>[] };
  readonly highlighting?: Record<string, Record<string, readonly string[]>>;
  readonly facet_counts?: { readonly facet_fields?: Record<string, readonly (string | number)[]> };
  readonly error?: { readonly msg?: string };
}

export async function select(index: string, params: URLSearchParams): Promise<SelectResult> {
  const res = await fetch(`/solr/${encodeURIComponent(index)}/select?${params.toString()}`, { headers: headers() });
  let json: SelectResult;
  try {
    json = (await res.json()) as SelectResult;
  } catch {
    throw new ApiError([`unexpected answer (HTTP ${res.status})`], [], res.status === 401);
  }
  if (res.status >= 400 || json.error) throw new ApiError([json.error?.msg ?? `select failed (HTTP ${res.status})`], [], res.status === 401);
  return json;
}

export interface HistoryPoint {
  readonly t: number;
  readonly eventsPerSec: number;
  readonly lagSec: number | null;
}

export async function channelHistory(index: string): Promise<{ bucketMs: number; points: readonly HistoryPoint[] }> {
  const res = await fetch(`/metrics/history/${encodeURIComponent(index)}`);
  if (!res.ok) return { bucketMs: 10_000, points: [] };
  return (await res.json()) as { bucketMs: number; points: HistoryPoint[] };
}

/** Channel summary as list_indexes (incr) and do_get_incr_status send it. */
export interface ChannelSummary {
  readonly state?: string;
  readonly reason?: string | null;
  readonly lag_ms?: number | null;
  readonly last_60_sec?: number;
}

/** One entry of list_indexes: do_get_index_status fields plus identity, fields, task and channel summary. */
export interface IndexSummary {
  readonly indexName: string;
  /** `db.table` */
  readonly source?: string;
  readonly doc_num?: number | null;
  readonly latest_fullbuild_time?: string | null;
  readonly incr_ready?: boolean;
  readonly rebuild_needed?: string | null;
  readonly building_taskid?: number | null;
  readonly last_taskid?: number | null;
  /** The live generation's stored top-K lists of frequent terms (null before the first build). */
  readonly topk?: { readonly ranked: number; readonly pending: number; readonly retired?: number } | null;
  readonly fields?: readonly { name: string; type?: string; token?: string | null; search?: boolean; key?: boolean }[];
  readonly incr?: ChannelSummary | null;
}

export interface IncrStatus extends ChannelSummary {
  readonly current_cursor?: readonly { mqName: string; cursor: number | string; offset?: string; end?: string | null }[];
  readonly logs?: string;
  readonly ddl?: readonly { commitTs: string; type: string; query: string; affectsIndex?: boolean; at?: number }[];
  /** Count of dead letters so far. */
  readonly dead_letters?: number;
  readonly recent_dead_letters?: readonly { mqName: string; offset: string; reason: string; at?: number }[];
}

export const listIndexes = () => admin<{ indexes: IndexSummary[] }>('list_indexes', {});
export const taskStatus = (taskid: number) => admin<TaskStatus>('do_get_task_status', { taskid, log: true });
export const incrStatus = (indexName: string) => admin<IncrStatus>('do_get_incr_status', { indexName, log: true });
