// The `TiKV` datasource plugin: finds TiDB through PD (or `tidbAddrs`), connects to a live server over the
// MySQL protocol and dumps at one TSO. A MySQL/MariaDB server behind the same plugin gets the MySQL source.
import type { TableSchema } from '../../core/schema.js';
import { TidesearchError, isTidesearchError } from '../../errors/index.js';
import type { Snapshot, Source } from '../source.js';
import type { SqlConnection } from '../mysql/connection.js';
import { describeTable } from '../mysql/describe.js';
import { createMySqlSource } from '../mysql/index.js';
import { DEFAULT_GC_POLICY, type GcPolicy } from '../tidb/gc-life-time.js';
import { openTidbSnapshot, serverLost } from '../tidb/tidb-snapshot.js';
import { discoverTidbServers } from './discovery.js';
import { TidbPool } from './tidb-pool.js';

export interface TikvSourceOptions {
  /** Comma-separated PD client addresses (`datasource.pdAddrs`). */
  readonly pdAddrs?: string;
  /** Comma-separated TiDB SQL addresses, instead of PD (`datasource.tidbAddrs`). */
  readonly tidbAddrs?: string;
  /** Default `root`. */
  readonly user?: string;
  /** Default empty. */
  readonly password?: string;
  readonly connectTimeoutMs?: number;
  /** Per PD address; default 3000. */
  readonly pdTimeoutMs?: number;
  /** Minutes east of UTC that DATE/DATETIME values are written in (TIMESTAMP is read as UTC). */
  readonly timeZoneOffsetMinutes?: number;
  /** Default connections per snapshot. */
  readonly parallel?: number;
  /** tidb_gc_life_time handling; default: extend for the dump, assuming 20k rows/s. */
  readonly gc?: Partial<GcPolicy>;
  /** Lines for the task log (snapshot S, GC changes, fail-overs). Never receives the password. */
  readonly log?: (line: string) => void;
}

export async function createTikvSource(o: TikvSourceOptions): Promise<Source> {
  const log = o.log ?? (() => {});
  const user = o.user ?? 'root';
  const password = o.password ?? '';
  const pdTimeoutMs = o.pdTimeoutMs ?? 3000;
  const connectTimeoutMs = o.connectTimeoutMs ?? 10_000;
  const discovered = await discoverTidbServers(o, { pdTimeoutMs });
  log(`TiDB servers from ${discovered.via}: ${discovered.servers.map((s) => `${s.addr}${s.version ? ` (${s.version})` : ''}`).join(', ')}`);
  const pool = new TidbPool(discovered.servers, { ...o, user, password, connectTimeoutMs, pdTimeoutMs }, log);
  const { conn, addr, server } = await pool.connect();
  let version: string;
  try {
    const [row] = await conn.query<{ v: string }>('SELECT VERSION() AS v');
    version = String(row?.v ?? '');
  } catch (e) {
    conn.destroy();
    throw e;
  }
  if (!/TiDB/i.test(version)) {
    await conn.end();
    log(`${addr} is not TiDB (VERSION() = ${version}): using the MySQL/MariaDB consistent-snapshot dump`);
    return createMySqlSource({
      host: server.host,
      port: server.port,
      user,
      password,
      connectTimeoutMs,
      ...(o.timeZoneOffsetMinutes !== undefined ? { timeZoneOffsetMinutes: o.timeZoneOffsetMinutes } : {}),
      ...(o.parallel !== undefined ? { parallel: o.parallel } : {}),
    });
  }
  log(`connected to TiDB ${addr} (${version})`);
  return new TikvSource(conn, addr, pool, o, log, user);
}

class TikvSource implements Source {
  description: string;

  constructor(
    private meta: SqlConnection,
    private addr: string,
    private readonly pool: TidbPool,
    private readonly o: TikvSourceOptions,
    private readonly log: (line: string) => void,
    private readonly user: string,
  ) {
    this.description = `tidb ${user}@${addr}`;
  }

  async describe(db: string, table: string): Promise<TableSchema> {
    const schema = await this.withFailover((conn) => describeTable(conn, db, table)).catch((e: unknown) => {
      if (isTidesearchError(e) && e.code === 'NO_PRIMARY_KEY') {
        throw new TidesearchError(
          'NO_PRIMARY_KEY',
          `table '${db}.${table}' has neither a PRIMARY KEY nor a UNIQUE key on NOT NULL columns. TiCDC cannot identify rows of such a table, ` +
            'so its changes could not be applied to the index; add a primary key (ALTER TABLE ... ADD PRIMARY KEY (...)) and try again',
          { field: 'table' },
        );
      }
      throw e;
    });
    return schema;
  }

  openSnapshot(schema: TableSchema, so: { signal?: AbortSignal; parallel?: number } = {}): Promise<Snapshot> {
    return openTidbSnapshot(schema, this.pool, {
      gc: { ...DEFAULT_GC_POLICY, ...this.o.gc },
      offsetMinutes: this.o.timeZoneOffsetMinutes ?? 0,
      parallel: so.parallel ?? this.o.parallel ?? 4,
      log: this.log,
      ...(so.signal ? { signal: so.signal } : {}),
    });
  }

  /** Runs a metadata call; when the server is lost, reconnects to another live one and runs it again. */
  private async withFailover<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(this.meta);
      } catch (e) {
        if (!serverLost(e) || attempt >= this.pool.known.length) throw e;
        this.log(`lost TiDB ${this.addr} (${e.message}); connecting to another server`);
        this.meta.destroy();
        const next = await this.pool.connect();
        this.meta = next.conn;
        this.addr = next.addr;
        this.description = `tidb ${this.user}@${next.addr}`;
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.meta.end();
  }
}
