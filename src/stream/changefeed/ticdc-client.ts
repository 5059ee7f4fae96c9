// TiCDC OpenAPI v2 client for the three calls Tidesearch makes: create, get and delete one changefeed.
// Every failure becomes CDC_API_ERROR carrying TiCDC's own `error_msg`.
import { TidesearchError } from '../../errors/index.js';
import { parseTso, type Tso } from '../../core/tso.js';
import { createChangefeedBody, sinkUri, type ChangefeedSpec } from './changefeed-spec.js';
import { parseTsoJson, stringifyTsoJson } from './tso-json.js';

export interface ChangefeedInfo {
  readonly id: string;
  /** `normal`, `stopped`, `error`, `failed`, `finished` (TiCDC's words). */
  readonly state: string;
  readonly sinkUri: string;
  readonly startTs: Tso;
  readonly checkpointTs?: Tso;
  readonly error?: string;
}

export interface TicdcClientOptions {
  /** `incr.cdcAddr`: host:port or URL of any TiCDC server (default port 8300). */
  readonly cdcAddr: string;
  readonly timeoutMs?: number;
}

export interface TicdcClient {
  createChangefeed(spec: ChangefeedSpec, o?: { signal?: AbortSignal }): Promise<ChangefeedInfo>;
  /** null when TiCDC has no changefeed with this id. */
  getChangefeed(id: string, o?: { signal?: AbortSignal }): Promise<ChangefeedInfo | null>;
  /** Idempotent, as TiCDC's DELETE is: a missing changefeed is not an error. */
  deleteChangefeed(id: string, o?: { signal?: AbortSignal }): Promise<void>;
  /** Creates the changefeed, or verifies that an existing one with this id replicates to the same sink from at most S. */
  ensureChangefeed(spec: ChangefeedSpec, o?: { signal?: AbortSignal }): Promise<{ readonly created: boolean; readonly info: ChangefeedInfo }>;
}

const FIELD = 'incr.cdcAddr';

export function createTicdcClient(o: TicdcClientOptions): TicdcClient {
  const base = (/^https?:\/\//i.test(o.cdcAddr.trim()) ? o.cdcAddr.trim() : `http://${o.cdcAddr.trim()}`).replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 10_000;

  async function call(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: stringifyTsoJson(body) }),
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = e instanceof DOMException && e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (e as Error).message);
      throw new TidesearchError('CDC_API_ERROR', `TiCDC at ${base} could not be reached for ${method} ${path}: ${why}`, { field: FIELD, cause: e });
    }
    const text = await res.text();
    let json: unknown = null;
    if (text.trim() !== '') {
      try {
        json = parseTsoJson(text);
      } catch {
        json = { error_msg: text.slice(0, 300) };
      }
    }
    return { status: res.status, json };
  }

  function apiError(method: string, path: string, status: number, json: unknown): TidesearchError {
    const { error_msg: msg, error_code: code } = (json ?? {}) as { error_msg?: string; error_code?: string };
    const retriable = status >= 500;
    return new TidesearchError('CDC_API_ERROR', `TiCDC ${method} ${path} failed (HTTP ${status}${code ? `, ${code}` : ''}): ${msg ?? 'no error message'}`, {
      field: FIELD,
      retriable,
    });
  }

  const isNotFound = (status: number, json: unknown): boolean =>
    status === 404 || /NotExist|not exist|not found/i.test(`${(json as { error_code?: string } | null)?.error_code ?? ''} ${(json as { error_msg?: string } | null)?.error_msg ?? ''}`);

  const client: TicdcClient = {
    async createChangefeed(spec, co = {}) {
      const path = '/api/v2/changefeeds';
      const { status, json } = await call('POST', path, createChangefeedBody(spec), co.signal);
      if (status !== 200) throw apiError('POST', path, status, json);
      return toInfo(json, spec.changefeedId);
    },
    async getChangefeed(id, co = {}) {
      const path = `/api/v2/changefeeds/${encodeURIComponent(id)}`;
      const { status, json } = await call('GET', path, undefined, co.signal);
      if (status === 200) return toInfo(json, id);
      if (isNotFound(status, json)) return null;
      throw apiError('GET', path, status, json);
    },
    async deleteChangefeed(id, co = {}) {
      const path = `/api/v2/changefeeds/${encodeURIComponent(id)}`;
      const { status, json } = await call('DELETE', path, undefined, co.signal);
      if (status === 200 || isNotFound(status, json)) return;
      throw apiError('DELETE', path, status, json);
    },
    async ensureChangefeed(spec, co = {}) {
      const existing = await client.getChangefeed(spec.changefeedId, co);
      if (existing === null) return { created: true, info: await client.createChangefeed(spec, co) };
      const wanted = sinkUri(spec);
      if (!sameSink(existing.sinkUri, wanted)) {
        throw new TidesearchError(
          'CDC_API_ERROR',
          `TiCDC changefeed ${spec.changefeedId} already exists with sink ${existing.sinkUri}, not ${wanted}; remove it (cdc cli changefeed remove --changefeed-id=${spec.changefeedId}) or use another index name`,
          { field: FIELD, retriable: false },
        );
      }
      if (existing.startTs > spec.startTs) {
        throw new TidesearchError(
          'CDC_API_ERROR',
          `TiCDC changefeed ${spec.changefeedId} starts at ${existing.startTs}, after the snapshot ${spec.startTs}: changes in between would be missing; remove it so it can be recreated`,
          { field: FIELD, retriable: false },
        );
      }
      return { created: false, info: existing };
    },
  };
  return client;
}

/** TiCDC may add parameters or reorder them when it stores a sink URI: compare brokers, topic and protocol. */
export function sameSink(a: string, b: string): boolean {
  const norm = (uri: string): string | null => {
    const m = /^([a-z+]+):\/\/([^/?]*)\/([^?]*)(?:\?(.*))?$/i.exec(uri.trim());
    if (!m) return null;
    const params = new URLSearchParams(m[4] ?? '');
    const brokers = m[2]!.split(',').map((s) => s.trim()).sort().join(',');
    return `${m[1]!.toLowerCase()}|${brokers}|${decodeURIComponent(m[3]!)}|${params.get('protocol') ?? ''}|${params.get('enable-tidb-extension') ?? 'false'}`;
  };
  const na = norm(a);
  return na !== null && na === norm(b);
}

function toInfo(json: unknown, fallbackId: string): ChangefeedInfo {
  const j = (json ?? {}) as Record<string, unknown>;
  const ts = (v: unknown): Tso | undefined => (typeof v === 'string' && /^\d+$/.test(v) ? parseTso(v) : undefined);
  const err = j.error as { message?: string; code?: string } | null | undefined;
  const checkpointTs = ts(j.checkpoint_ts);
  return {
    id: typeof j.id === 'string' ? j.id : fallbackId,
    state: typeof j.state === 'string' ? j.state : 'unknown',
    sinkUri: typeof j.sink_uri === 'string' ? j.sink_uri : '',
    startTs: ts(j.start_ts) ?? 0n,
    ...(checkpointTs !== undefined ? { checkpointTs } : {}),
    ...(err && (err.message || err.code) ? { error: `${err.code ?? ''} ${err.message ?? ''}`.trim() } : {}),
  };
}
