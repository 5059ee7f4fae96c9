// Reads keys from PD's embedded etcd through its v3 JSON gateway (POST /v3/kv/range, base64 keys).
// No etcd client library: one prefix read per discovery is all we need.

export interface EtcdKv {
  readonly key: string;
  readonly value: string;
  /** Lease id as decimal text ("0" or absent when the key has no lease). */
  readonly lease: string;
}

export interface RangeOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined): string => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));

/** The etcd range end that selects every key starting with `prefix` (prefix with its last byte + 1). */
export function prefixRangeEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key: etcd's convention for "no end"
}

/** Normalises `host:port` or `http(s)://host:port[/]` into a base URL. */
export function gatewayBaseUrl(addr: string): string {
  const trimmed = addr.trim().replace(/\/+$/, '');
  return /^https?:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** All keys under `prefix` at one etcd revision. Throws with the transport's reason on any failure. */
export async function rangePrefix(addr: string, prefix: string, o: RangeOptions): Promise<readonly EtcdKv[]> {
  const signals = [AbortSignal.timeout(o.timeoutMs), ...(o.signal ? [o.signal] : [])];
  const res = await fetch(`${gatewayBaseUrl(addr)}/v3/kv/range`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: b64(prefix), range_end: b64(prefixRangeEnd(prefix)) }),
    signal: AbortSignal.any(signals),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${addr}/v3/kv/range: ${text.slice(0, 200)}`);
  let body: { kvs?: { key?: string; value?: string; lease?: string }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`${addr}/v3/kv/range did not answer JSON (is this PD's client port?): ${text.slice(0, 120)}`);
  }
  return (body.kvs ?? []).map((kv) => ({ key: unb64(kv.key), value: unb64(kv.value), lease: kv.lease ?? '0' }));
}
