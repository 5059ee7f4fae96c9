// Throwaway etcd (stand-in for PD's embedded etcd) on random ports, driven through its v3 JSON gateway,
// plus registerTidb() to publish TiDB servers the way tidb-server's info syncer does.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { armReaper } from './reaper.js';

export interface EtcdKeyValue {
  readonly key: string;
  readonly value: string;
  /** '0' when the key has no lease. */
  readonly leaseId: string;
  readonly modRevision: string;
}

export interface Etcd extends AsyncDisposable {
  /** '127.0.0.1:<client port>', as a PD endpoint would be given. */
  readonly endpoint: string;
  /** 'http://127.0.0.1:<client port>' */
  readonly url: string;
  readonly pid: number;
  put(key: string, value: string, opts?: { readonly leaseId?: string }): Promise<void>;
  /** All keys starting with `prefix`, sorted by key. */
  get(prefix: string): Promise<readonly EtcdKeyValue[]>;
  /** Deletes all keys starting with `prefix`; returns how many. */
  del(prefix: string): Promise<number>;
  /** Grants a lease; ids are int64, kept as decimal strings. */
  grantLease(ttlSeconds: number): Promise<string>;
  /** Renews a lease once (what a live server does every few seconds). */
  keepAlive(leaseId: string): Promise<void>;
  /** Revokes a lease: every key attached to it disappears at once. */
  revokeLease(leaseId: string): Promise<void>;
  /** Kills exactly this etcd and removes its data dir. Idempotent. */
  stop(): Promise<void>;
}

export async function startEtcd(opts: { readonly startTimeoutMs?: number } = {}): Promise<Etcd> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(opts.startTimeoutMs ?? 15000);
    } catch (err) {
      lastError = err as Error;
      if (!/address already in use/i.test(lastError.message)) break;
    }
  }
  throw lastError ?? new Error('etcd did not start');
}

async function launch(startTimeoutMs: number): Promise<Etcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-etcd-'));
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    'etcd',
    [
      '--name=test',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      '--log-level=error',
      // Throwaway data: skip fsync so a busy shared disk cannot slow the tests down.
      '--unsafe-no-fsync',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn etcd (is etcd-server installed?)');
  const reaper = armReaper(pid, dir);
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    log = (log + chunk).slice(-4000);
  });
  let exitError: Error | undefined;
  child.once('exit', (code, signal) => {
    exitError = new Error(`etcd exited (${code ?? signal}): ${log}`);
  });

  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${clientUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`etcd ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const gone = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.kill('SIGKILL');
      await gone;
      reaper.disarm();
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exitError) {
      await stop();
      throw exitError;
    }
    try {
      const res = await fetch(`${clientUrl}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd not healthy after ${startTimeoutMs} ms: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    endpoint: `127.0.0.1:${clientPort}`,
    url: clientUrl,
    pid,
    async put(key, value, putOpts = {}) {
      await call('/v3/kv/put', {
        key: b64(key),
        value: b64(value),
        ...(putOpts.leaseId !== undefined ? { lease: putOpts.leaseId } : {}),
      });
    },
    async get(prefix) {
      const res = await call<{ kvs?: Array<{ key: string; value?: string; lease?: string; mod_revision?: string }> }>(
        '/v3/kv/range',
        { key: b64(prefix), range_end: b64(prefixEnd(prefix)) },
      );
      return (res.kvs ?? []).map((kv) => ({
        key: unb64(kv.key),
        value: unb64(kv.value ?? ''),
        leaseId: kv.lease ?? '0',
        modRevision: kv.mod_revision ?? '0',
      }));
    },
    async del(prefix) {
      const res = await call<{ deleted?: string }>('/v3/kv/deleterange', {
        key: b64(prefix),
        range_end: b64(prefixEnd(prefix)),
      });
      return Number(res.deleted ?? '0');
    },
    async grantLease(ttlSeconds) {
      const res = await call<{ ID?: string; error?: string }>('/v3/lease/grant', { TTL: String(ttlSeconds) });
      if (res.ID === undefined) throw new Error(`etcd lease grant failed: ${res.error ?? 'no ID'}`);
      return res.ID;
    },
    async keepAlive(leaseId) {
      await call('/v3/lease/keepalive', { ID: leaseId });
    },
    async revokeLease(leaseId) {
      await call('/v3/lease/revoke', { ID: leaseId });
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

export interface TidbServerInput {
  readonly ip: string;
  readonly port: number;
  readonly statusPort: number;
  /** e.g. 'v7.5.1' (TiDB writes its release version here). */
  readonly version?: string;
  /** Whether the server is up: only then is the `ttl` key written, on a lease. */
  readonly alive: boolean;
  /** Lease TTL for the ttl key; TiDB uses 45 s. */
  readonly ttlSeconds?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface TidbRegistration {
  /** '/topology/tidb/<ip>:<port>' */
  readonly prefix: string;
  /** Lease holding the ttl key; undefined when registered as not alive. */
  readonly leaseId: string | undefined;
  /** Simulates the server dying: revokes the lease, so the ttl key vanishes and info stays. */
  kill(): Promise<void>;
}

/**
 * Publishes a TiDB server as tidb-server's info syncer does: `/topology/tidb/<ip>:<port>/info` holds
 * static JSON without a lease; `/topology/tidb/<ip>:<port>/ttl` holds the time in Unix nanoseconds on a
 * ~45 s lease, so a server counts as alive only while its ttl key exists.
 */
export async function registerTidb(etcd: Etcd, server: TidbServerInput): Promise<TidbRegistration> {
  const prefix = `/topology/tidb/${server.ip}:${server.port}`;
  const startTimestamp = Math.floor(Date.now() / 1000);
  const info = {
    version: server.version ?? 'v7.5.1',
    git_hash: '7d16cc79e81bbf573124df3fd9351c26963f3e70',
    ip: server.ip,
    listening_port: server.port,
    status_port: server.statusPort,
    deploy_path: `/tidb-deploy/tidb-${server.port}/bin`,
    start_timestamp: startTimestamp,
    labels: { ...(server.labels ?? {}) },
  };
  await etcd.put(`${prefix}/info`, JSON.stringify(info));
  let leaseId: string | undefined;
  if (server.alive) {
    leaseId = await etcd.grantLease(server.ttlSeconds ?? 45);
    await etcd.put(`${prefix}/ttl`, `${BigInt(Date.now()) * 1_000_000n}`, { leaseId });
  }
  return {
    prefix,
    leaseId,
    async kill() {
      if (leaseId === undefined) return;
      // An expired lease is as dead as a revoked one.
      await etcd.revokeLease(leaseId).catch((err: Error) => {
        if (!/lease not found/.test(err.message)) throw err;
      });
    },
  };
}

function b64(s: string | Buffer): string {
  return (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');
}

function unb64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

/** etcd's range end for "all keys with this prefix": the prefix with its last byte incremented. */
function prefixEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = bytes[i]! + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}
