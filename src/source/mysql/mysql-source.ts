// The MySQL/MariaDB Source: one metadata connection for describe and estimates; snapshots open their own.
import type { TableSchema } from '../../core/schema.js';
import { TidesearchError } from '../../errors/index.js';
import type { Snapshot, Source } from '../source.js';
import { quoteTableName } from '../identifiers.js';
import { connect, type ConnectOptions, type SqlConnection } from './connection.js';
import { describeTable } from './describe.js';
import { openMySqlSnapshot } from './snapshot.js';

export interface MySqlSourceOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly connectTimeoutMs?: number;
  /** Minutes east of UTC that DATE/DATETIME values are written in (TIMESTAMP is always read as UTC). */
  readonly timeZoneOffsetMinutes?: number;
  /** Default connections per snapshot when openSnapshot is not told. */
  readonly parallel?: number;
  /** How long opening a parallel snapshot waits for the table lock before reading with one connection; default 5 s. */
  readonly lockWaitSeconds?: number;
}

/** Below this many rows (by the statistics' estimate) an exact COUNT(*) is cheap enough. */
const EXACT_COUNT_BELOW = 100_000;

export async function createMySqlSource(o: MySqlSourceOptions): Promise<Source> {
  const connectOptions = { host: o.host, port: o.port, user: o.user, password: o.password, connectTimeoutMs: o.connectTimeoutMs ?? 10_000 };
  const meta = new MetaConnection(connectOptions, await connect(connectOptions));
  try {
    const [row] = await meta.query<{ v: string }>('SELECT VERSION() AS v');
    const version = row?.v ?? '';
    const dialect = /tidb/i.test(version) ? 'tidb' : /mariadb/i.test(version) ? 'mariadb' : 'mysql';
    return new MySqlSource(meta, connectOptions, dialect, o);
  } catch (err) {
    meta.destroy();
    throw err;
  }
}

class MySqlSource implements Source {
  readonly description: string;
  private closed = false;

  constructor(
    private readonly meta: MetaConnection,
    private readonly connectOptions: ConnectOptions,
    private readonly dialect: 'mysql' | 'mariadb' | 'tidb',
    private readonly o: MySqlSourceOptions,
  ) {
    this.description = `${dialect} ${o.user}@${o.host}:${o.port}`;
  }

  describe(db: string, table: string): Promise<TableSchema> {
    this.assertOpen();
    return describeTable(this.meta, db, table);
  }

  openSnapshot(schema: TableSchema, so: { signal?: AbortSignal; parallel?: number } = {}): Promise<Snapshot> {
    this.assertOpen();
    return openMySqlSnapshot(schema, {
      connect: this.connectOptions,
      dialect: this.dialect,
      parallel: so.parallel ?? this.o.parallel ?? 4,
      offsetMinutes: this.o.timeZoneOffsetMinutes ?? 0,
      lockWaitSeconds: this.o.lockWaitSeconds ?? 5,
      estimateRows: () => this.estimateRows(schema),
      ...(so.signal ? { signal: so.signal } : {}),
    });
  }

  /** information_schema's statistic (InnoDB samples it), or an exact count when the table is small. */
  private async estimateRows(schema: TableSchema): Promise<number> {
    const [stats] = await this.meta.query<{ n: number | string | null }>(
      'SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [schema.db, schema.table],
    );
    const estimate = Number(stats?.n ?? 0);
    if (estimate >= EXACT_COUNT_BELOW) return estimate;
    const [count] = await this.meta.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${quoteTableName(schema.db, schema.table)}`);
    return Number(count?.n ?? 0);
  }

  private assertOpen(): void {
    if (this.closed) throw new TidesearchError('INTERNAL', `source ${this.description} is already closed`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.meta.end();
  }
}

/**
 * The source's long-lived connection for metadata reads. A source can sit idle past the server's
 * wait_timeout (or be killed); these reads are idempotent, so a lost connection is replaced once.
 */
class MetaConnection {
  constructor(
    private readonly options: ConnectOptions,
    private conn: SqlConnection,
  ) {}

  async query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    if (!this.conn.alive) this.conn = await connect(this.options);
    try {
      return await this.conn.query<T>(sql, params);
    } catch (err) {
      if (this.conn.alive || (err as TidesearchError).code !== 'SOURCE_UNREACHABLE') throw err;
      this.conn = await connect(this.options);
      return await this.conn.query<T>(sql, params);
    }
  }

  end(): Promise<void> {
    return this.conn.end();
  }

  destroy(): void {
    this.conn.destroy();
  }
}
