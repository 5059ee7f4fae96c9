// HTTP client for the admin API envelope and the Solr select endpoint, as the CLI uses them.
// Business errors become AdminError (errormsg + errorfields), never a stack trace for the user.

export interface FieldError {
  readonly name: string;
  readonly content: string;
}

export interface Envelope<T> {
  readonly success: boolean;
  readonly errormsg: readonly string[];
  readonly msg?: readonly string[];
  readonly errorfields?: readonly FieldError[];
  /** Catalog code of the error (docs/errors.md), e.g. INDEX_EXISTS. */
  readonly errorcode?: string;
  readonly bizresult: T;
}

export class AdminError extends Error {
  readonly errormsg: readonly string[];
  readonly errorfields: readonly FieldError[];
  readonly errorcode: string | undefined;
  constructor(errormsg: readonly string[], errorfields: readonly FieldError[] = [], errorcode?: string) {
    super(errormsg.join('; ') || 'request failed');
    this.name = 'AdminError';
    this.errormsg = errormsg;
    this.errorfields = errorfields;
    this.errorcode = errorcode;
  }
}

export type FetchLike = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<{ status: number; text(): Promise<string> }>;

export interface AdminClientOptions {
  readonly url: string;
  readonly token?: string | undefined;
  readonly fetch: FetchLike;
}

export interface AdminClient {
  readonly baseUrl: string;
  call<T = Record<string, unknown>>(emethod: string, body: unknown): Promise<T>;
  /** GET /solr/{index}/select; throws AdminError with Solr's error message on failure. */
  select(index: string, params: URLSearchParams): Promise<SelectResponse>;
}

export interface SelectResponse {
  readonly responseHeader?: { readonly status?: number; readonly QTime?: number };
  readonly response?: { readonly numFound: number; readonly start?: number; readonly docs: readonly Record<string, unknown>[] };
  readonly highlighting?: Record<string, Record<string, readonly string[]>>;
  readonly facet_counts?: { readonly facet_fields?: Record<string, readonly (string | number)[]> };
  readonly error?: { readonly msg?: string; readonly code?: number };
}

export function createAdminClient(opts: AdminClientOptions): AdminClient {
  const baseUrl = opts.url.replace(/\/+$/, '');
  const headers = (extra: Record<string, string> = {}): Record<string, string> =>
    opts.token ? { ...extra, authorization: `Bearer ${opts.token}` } : extra;

  async function request(url: string, init: { method: string; body?: string; headers: Record<string, string> }): Promise<{ status: number; json: unknown }> {
    let res: { status: number; text(): Promise<string> };
    try {
      res = await opts.fetch(url, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new AdminError([`cannot reach Tidesearch at ${baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`]);
    }
    const text = await res.text();
    try {
      return { status: res.status, json: JSON.parse(text) as unknown };
    } catch {
      throw new AdminError([`unexpected answer from ${url} (HTTP ${res.status}): ${text.slice(0, 200)}`]);
    }
  }

  return {
    baseUrl,
    async call<T>(emethod: string, body: unknown): Promise<T> {
      const url = `${baseUrl}/solr/config/config.ajax?action=collection_action&emethod=${encodeURIComponent(emethod)}`;
      const { status, json } = await request(url, { method: 'POST', body: JSON.stringify(body), headers: headers({ 'content-type': 'application/json' }) });
      const env = json as Partial<Envelope<T>>;
      if (typeof env !== 'object' || env === null || typeof env.success !== 'boolean') {
        throw new AdminError([`unexpected answer from ${url} (HTTP ${status}): not an admin envelope`]);
      }
      if (!env.success) throw new AdminError(env.errormsg?.length ? env.errormsg : [`${emethod} failed (HTTP ${status})`], env.errorfields ?? [], env.errorcode);
      return (env.bizresult ?? {}) as T;
    },
    async select(index: string, params: URLSearchParams): Promise<SelectResponse> {
      const url = `${baseUrl}/solr/${encodeURIComponent(index)}/select?${params.toString()}`;
      const { status, json } = await request(url, { method: 'GET', headers: headers() });
      const res = json as SelectResponse;
      if (status >= 400 || res.error) throw new AdminError([res.error?.msg ?? `select failed (HTTP ${status})`]);
      return res;
    },
  };
}
