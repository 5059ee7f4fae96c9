// The only module that touches mysql2: one connection with the text-protocol options the dump relies on,
// parameterised queries, a back-pressured row stream, and driver errors turned into TidesearchErrors.
import mysql from 'mysql2';
import { TidesearchError } from '../../errors/index.js';

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly connectTimeoutMs?: number;
}

/** A raw row as the driver returns it with the options below: text, safe numbers, or bytes. */
export type RawValue = string | number | Buffer | null;
export type RawRow = readonly RawValue[];

export interface SqlConnection {
  /** Server thread id, to find this connection in the process list. */
  readonly threadId: number;
  /** False once the socket is gone (closed, killed by the server, timed out). */
  readonly alive: boolean;
  /** One statement with `?` parameters; rows as objects keyed by column label. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Streams a result row by row as arrays; pauses the socket while the consumer is behind. The buffer is
   * counted in rows, so it is kept small: a table of multi-megabyte BLOBs must not buffer thousands.
   */
  stream(sql: string, params?: readonly unknown[], highWaterMark?: number): AsyncIterable<RawRow>;
  /** Polite close (COM_QUIT). */
  end(): Promise<void>;
  /** Drops the socket at once, e.g. to stop a result the server is still sending. */
  destroy(): void;
}

export async function connect(o: ConnectOptions): Promise<SqlConnection> {
  const conn = mysql.createConnection({
    host: o.host,
    port: o.port,
    user: o.user,
    password: o.password,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    charset: 'utf8mb4_general_ci',
    // Everything the dump reads stays text (or bytes) so valueFromText converts it exactly once:
    // dates as strings, DECIMAL as strings, BIGINT as a string when beyond 2^53, JSON unparsed.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: false,
    jsonStrings: true,
    multipleStatements: false,
    timezone: 'Z',
  });
  await new Promise<void>((resolve, reject) => {
    conn.connect((err) => (err ? reject(unreachable(o, err)) : resolve()));
  });
  return wrap(conn);
}

function wrap(conn: mysql.Connection): SqlConnection {
  const p = conn.promise();
  let alive = true;
  // A dropped socket after connect must not crash the process; the next call reports it.
  conn.on('error', () => (alive = false));
  conn.on('end', () => (alive = false));
  return {
    threadId: conn.threadId ?? 0,
    get alive(): boolean {
      return alive;
    },
    async query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      try {
        const [rows] = await p.query(sql, params as unknown[] | undefined);
        return rows as T[];
      } catch (err) {
        throw sourceError(err);
      }
    },
    stream(sql: string, params?: readonly unknown[], highWaterMark = 64): AsyncIterable<RawRow> {
      const readable = conn.query({ sql, rowsAsArray: true }, params as unknown[] | undefined).stream({ highWaterMark });
      // mysql2 reports a socket that dies mid-result (server killed, network cut) only on the connection:
      // end the row stream with that error, or the reader would wait forever.
      const onLost = (err?: unknown) => readable.destroy(err instanceof Error ? err : Object.assign(new Error('connection closed during the query'), { code: 'PROTOCOL_CONNECTION_LOST' }));
      conn.once('error', onLost);
      conn.once('end', onLost);
      return (async function* () {
        try {
          for await (const row of readable) yield row as RawRow;
        } catch (err) {
          throw sourceError(err);
        } finally {
          conn.off('error', onLost);
          conn.off('end', onLost);
        }
      })();
    },
    async end(): Promise<void> {
      alive = false;
      await p.end().catch(() => conn.destroy());
    },
    destroy(): void {
      alive = false;
      conn.destroy();
    },
  };
}

interface DriverError {
  readonly code?: string;
  readonly errno?: number;
  readonly sqlMessage?: string;
  readonly message?: string;
}

/** Connection failures: which datasource field the user should look at, and the driver's own reason. */
function unreachable(o: ConnectOptions, err: unknown): TidesearchError {
  const e = err as DriverError;
  const reason = e.sqlMessage ?? e.message ?? String(err);
  const message = `cannot connect to ${o.host}:${o.port} as ${o.user}: ${reason}`;
  // Access denied cannot tell a wrong user from a wrong password; both fields are named, the password
  // first since it is the usual culprit. Refused means the host answered but nothing listens on the port.
  const field =
    e.code === 'ER_ACCESS_DENIED_ERROR' || e.errno === 1045
      ? 'datasource.password'
      : e.code === 'ER_HOST_NOT_PRIVILEGED' || e.errno === 1130
        ? 'datasource.user'
        : e.code === 'ECONNREFUSED'
          ? 'datasource.port'
          : 'datasource.host';
  const fieldErrors =
    field === 'datasource.password'
      ? [
          { name: 'datasource.password', content: message },
          { name: 'datasource.user', content: message },
        ]
      : [{ name: field, content: message }];
  return new TidesearchError('SOURCE_UNREACHABLE', message, { field, fieldErrors, cause: err });
}

/** A query the server refused, or a connection lost mid-query. */
export function sourceError(err: unknown): TidesearchError {
  if (err instanceof TidesearchError) return err;
  const e = err as DriverError;
  const lost = e.code === 'PROTOCOL_CONNECTION_LOST' || e.code === 'ECONNRESET' || e.code === 'EPIPE';
  const reason = e.sqlMessage ?? e.message ?? String(err);
  return new TidesearchError(lost ? 'SOURCE_UNREACHABLE' : 'SOURCE_ERROR', `source query failed: ${reason}${e.code ? ` (${e.code})` : ''}`, {
    cause: err,
  });
}
