// Finds live TiDB SQL servers: from PD's embedded etcd (`/topology/tidb/<ip:port>/{info,ttl}`), or from a
// direct `tidbAddrs` list for users who do not expose PD.
import { TidesearchError } from '../../errors/index.js';
import { rangePrefix } from './etcd-gateway.js';

/** Where TiDB registers itself (pingcap/tidb domain/infosync: TopologyInformationPath). */
export const TIDB_TOPOLOGY_PREFIX = '/topology/tidb/';

export interface TidbServer {
  /** `host:port` of the MySQL-protocol listener, as registered. */
  readonly addr: string;
  readonly host: string;
  readonly port: number;
  /** From the `info` key when PD listed it. */
  readonly statusPort?: number;
  readonly version?: string;
  readonly gitHash?: string;
  readonly startTimestamp?: number;
}

export interface DiscoveryInput {
  /** Comma-separated PD client addresses, `host:port` (the seed's field). */
  readonly pdAddrs?: string;
  /** Comma-separated TiDB SQL addresses, used instead of PD when given. */
  readonly tidbAddrs?: string;
}

export interface DiscoveryOptions {
  /** Per PD address; default 3000. */
  readonly pdTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface Discovered {
  readonly servers: readonly TidbServer[];
  /** Which list they came from, for logs: `pd 10.0.0.1:2379` or `tidbAddrs`. */
  readonly via: string;
}

/** Splits `a:1, b:2` into addresses; every entry must be `host:port`. */
export function parseAddrList(text: string, field: string): readonly { host: string; port: number; addr: string }[] {
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) throw new TidesearchError('BAD_REQUEST', `${field} is empty; give one or more host:port, comma-separated`, { field });
  return entries.map((entry) => {
    const withoutScheme = entry.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
    const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(withoutScheme);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) {
      throw new TidesearchError('BAD_REQUEST', `${field}: ${JSON.stringify(entry)} is not host:port`, { field });
    }
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port, addr: entry };
  });
}

/** Live TiDB servers: direct list when `tidbAddrs` is given, otherwise from the first PD address that answers. */
export async function discoverTidbServers(input: DiscoveryInput, o: DiscoveryOptions = {}): Promise<Discovered> {
  if (input.tidbAddrs !== undefined && input.tidbAddrs.trim() !== '') {
    const servers = parseAddrList(input.tidbAddrs, 'datasource.tidbAddrs').map(({ host, port }) => ({ addr: `${host}:${port}`, host, port }));
    return { servers, via: 'datasource.tidbAddrs' };
  }
  if (input.pdAddrs === undefined || input.pdAddrs.trim() === '') {
    throw new TidesearchError('BAD_REQUEST', 'datasource.pdAddrs is required (PD client addresses, e.g. "10.0.0.1:2379"), or give datasource.tidbAddrs', { field: 'datasource.pdAddrs' });
  }
  const pds = parseAddrList(input.pdAddrs, 'datasource.pdAddrs');
  const failures: string[] = [];
  for (const pd of pds) {
    let kvs;
    try {
      kvs = await rangePrefix(pd.addr, TIDB_TOPOLOGY_PREFIX, { timeoutMs: o.pdTimeoutMs ?? 3000, ...(o.signal ? { signal: o.signal } : {}) });
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      failures.push(`${pd.addr} (${describeFetchError(e, o.pdTimeoutMs ?? 3000)})`);
      continue;
    }
    const { live, registered } = liveServersFromTopology(kvs);
    if (live.length === 0) {
      throw new TidesearchError(
        'NO_TIDB_ALIVE',
        `PD at ${pd.addr} answered but lists no live TiDB server under ${TIDB_TOPOLOGY_PREFIX} ` +
          `(${registered} registered, none with a live ttl key). Start a TiDB server, or give datasource.tidbAddrs.`,
        { field: 'datasource.pdAddrs' },
      );
    }
    return { servers: live, via: `pd ${pd.addr}` };
  }
  throw new TidesearchError('PD_UNREACHABLE', `No PD address answered: ${failures.join('; ')}. Check datasource.pdAddrs (PD client URLs, port 2379 by default).`, {
    field: 'datasource.pdAddrs',
  });
}

/**
 * A server is alive while its `ttl` key exists (TiDB keeps it on a ~45 s lease); `info` is written without a lease
 * and outlives a crashed server, so it alone proves nothing. Sorted by address for a stable fail-over order.
 */
export function liveServersFromTopology(kvs: readonly { key: string; value: string }[]): { live: TidbServer[]; registered: number } {
  const infos = new Map<string, string>();
  const ttls = new Set<string>();
  for (const { key, value } of kvs) {
    if (!key.startsWith(TIDB_TOPOLOGY_PREFIX)) continue;
    const rest = key.slice(TIDB_TOPOLOGY_PREFIX.length);
    const slash = rest.lastIndexOf('/');
    if (slash <= 0) continue;
    const addr = rest.slice(0, slash);
    const leaf = rest.slice(slash + 1);
    if (leaf === 'info') infos.set(addr, value);
    else if (leaf === 'ttl') ttls.add(addr);
  }
  const registered = new Set([...infos.keys(), ...ttls]).size;
  const live: TidbServer[] = [];
  for (const addr of [...ttls].sort()) {
    const m = /^(\[[^\]]+\]|.+):(\d+)$/.exec(addr);
    if (!m) continue;
    live.push({ addr, host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), ...parseInfo(infos.get(addr)) });
  }
  return { live, registered };
}

function parseInfo(json: string | undefined): Partial<TidbServer> {
  if (json === undefined) return {};
  try {
    const info = JSON.parse(json) as { version?: unknown; git_hash?: unknown; status_port?: unknown; start_timestamp?: unknown };
    return {
      ...(typeof info.version === 'string' ? { version: info.version } : {}),
      ...(typeof info.git_hash === 'string' ? { gitHash: info.git_hash } : {}),
      ...(typeof info.status_port === 'number' ? { statusPort: info.status_port } : {}),
      ...(typeof info.start_timestamp === 'number' ? { startTimestamp: info.start_timestamp } : {}),
    };
  } catch {
    return {}; // a malformed info value does not make a live server unusable
  }
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  if (e instanceof DOMException && e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (e instanceof Error) {
    const cause = e.cause as { code?: string; message?: string } | undefined;
    if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
    return e.message;
  }
  return String(e);
}
