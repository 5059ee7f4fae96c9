// A small MySQL-protocol server (mysql2's own server side) that answers the statements Tidesearch sends to
// TiDB, from TiDB's documented behaviour: VERSION() with `TiDB`, @@tidb_current_ts in a transaction,
// SHOW MASTER STATUS, SET @@tidb_snapshot, tidb_gc_life_time, TABLESAMPLE REGIONS() (first row of each
// region) and the information_schema reads of describe. It is not a SQL engine: chunk SELECTs are answered
// from integer bounds on the key column only. Every statement is logged with the connection's tidb_snapshot.
import mysql from 'mysql2';
import type { AddressInfo } from 'node:net';

export interface FakeColumn {
  readonly name: string;
  /** information_schema DATA_TYPE and COLUMN_TYPE. */
  readonly dataType: string;
  readonly columnType: string;
  readonly nullable?: boolean;
}

export interface FakeTable {
  readonly db: string;
  readonly table: string;
  readonly columns: readonly FakeColumn[];
  /** PRIMARY KEY columns (empty: none); a single integer column for chunk reads. */
  readonly primaryKey: readonly string[];
  readonly uniqueKeys?: readonly { readonly name: string; readonly columns: readonly string[] }[];
  /** Rows in key order, values in column order (text or null). */
  readonly rows: readonly (readonly (string | null)[])[];
  /** Row indexes where each region starts (the first is 0), as TiKV would have split the table. */
  readonly regionStarts: readonly number[];
}

export interface FakeTidbOptions {
  readonly version?: string;
  /** The TSO the next transaction starts at (@@tidb_current_ts); decimal text. */
  readonly currentTs: string;
  /** Global tidb_gc_life_time, Go duration text as TiDB shows it, e.g. '10m0s'. */
  readonly gcLifeTime?: string;
  /** SET GLOBAL tidb_gc_life_time answers error 1227 (no SUPER / SYSTEM_VARIABLES_ADMIN). */
  readonly denyGlobalSet?: boolean;
  /** @@tidb_current_ts reads 0 (older TiDB): the client must fall back to SHOW MASTER STATUS. */
  readonly noCurrentTs?: boolean;
  /** Reading @@tidb_current_ts fails (to test clean-up after a failed snapshot). */
  readonly failCurrentTs?: boolean;
  readonly tables: readonly FakeTable[];
}

export interface LoggedStatement {
  readonly connection: number;
  readonly sql: string;
  /** The connection's @@tidb_snapshot when the statement arrived ('' when unset). */
  readonly snapshot: string;
}

export interface FakeTidb extends AsyncDisposable {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly log: LoggedStatement[];
  /** Current global tidb_gc_life_time. */
  gcLifeTime(): string;
  /**
   * After this many more data rows, the server goes away: `shutdown` first sends error 1053 (ER_SERVER_SHUTDOWN,
   * what a TiDB being stopped answers), `drop` just closes every socket (a killed server or a partition).
   * Either way it accepts no more connections.
   */
  dieAfterRows(n: number, how?: 'shutdown' | 'drop'): void;
  stop(): Promise<void>;
}

const T = { LONGLONG: 8, VAR_STRING: 253 } as const;

export async function startFakeTidb(o: FakeTidbOptions): Promise<FakeTidb> {
  const log: LoggedStatement[] = [];
  let gcLifeTime = o.gcLifeTime ?? '10m0s';
  let rowsUntilDeath = Infinity;
  let deathKind: 'shutdown' | 'drop' = 'shutdown';
  let dead = false;
  let nextId = 1;
  const sockets = new Set<{ destroy(): void }>();
  const server = mysql.createServer((conn) => {
    const id = nextId++;
    const c = conn as unknown as ServerConn;
    c.on('error', () => {}); // a client going away is normal here
    sockets.add(c.stream);
    c.stream.on('close', () => sockets.delete(c.stream));
    if (dead) return c.stream.destroy();
    // mysql2's server side never resets its packet counter between commands: do it after each response.
    for (const name of ['writeOk', 'writeError'] as const) {
      const original = c[name].bind(c) as (a?: unknown) => void;
      (c as unknown as Record<string, unknown>)[name] = (a?: unknown) => {
        original(a);
        c.sequenceId = 0;
      };
    }
    c.serverHandshake({
      protocolVersion: 10,
      serverVersion: o.version ?? '8.0.11-TiDB-v7.5.1',
      connectionId: id,
      statusFlags: 2,
      characterSet: 33,
      // mysql2's server parses the client's reply with these flags, so they mirror what the mysql2 client sends
      // (LONG_PASSWORD, LONG_FLAG, CONNECT_WITH_DB, PROTOCOL_41, TRANSACTIONS, SECURE_CONNECTION, MULTI_RESULTS,
      // PLUGIN_AUTH, CONNECT_ATTRS, PLUGIN_AUTH_LENENC_CLIENT_DATA); no SSL, no session tracking.
      capabilityFlags: 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x20000 | 0x80000 | 0x100000 | 0x200000,
    });
    let snapshot = '';
    let inTxn = false;
    const answer = (sql: string): void => {
      log.push({ connection: id, sql, snapshot });
      const s = sql.trim().replace(/;$/, '');
      let m: RegExpExecArray | null;
      if (/^SELECT VERSION\(\)/i.test(s)) return result(c, [col('v')], [[o.version ?? '8.0.11-TiDB-v7.5.1']]);
      if (/^(START TRANSACTION|BEGIN)/i.test(s)) return (inTxn = true), c.writeOk();
      if (/^(ROLLBACK|COMMIT)$/i.test(s)) return (inTxn = false), c.writeOk();
      if (/@@tidb_current_ts/i.test(s) && o.failCurrentTs) return c.writeError({ code: 9001, message: 'PD server timeout' });
      if (/@@tidb_current_ts/i.test(s)) return result(c, [col('ts', T.LONGLONG)], [[inTxn && !o.noCurrentTs ? o.currentTs : '0']]);
      if (/^SHOW MASTER STATUS$/i.test(s)) {
        return result(c, ['File', 'Position', 'Binlog_Do_DB', 'Binlog_Ignore_DB', 'Executed_Gtid_Set'].map((n) => col(n)), [['tidb-binlog', o.currentTs, '', '', '']]);
      }
      if ((m = /^SELECT @@(GLOBAL\.)?tidb_gc_life_time( AS (\w+))?$/i.exec(s))) return result(c, [col(m[3] ?? '@@GLOBAL.tidb_gc_life_time')], [[gcLifeTime]]);
      if ((m = /^SET GLOBAL tidb_gc_life_time\s*=\s*'([^']+)'$/i.exec(s))) {
        if (o.denyGlobalSet) return c.writeError({ code: 1227, message: 'Access denied; you need (at least one of) the SUPER or SYSTEM_VARIABLES_ADMIN privilege(s) for this operation' });
        gcLifeTime = m[1]!;
        return c.writeOk();
      }
      if ((m = /^SET @@(SESSION\.)?tidb_snapshot\s*=\s*'(\d*)'$/i.exec(s))) return (snapshot = m[2]!), c.writeOk();
      if (/^SET /i.test(s)) return c.writeOk();
      if (/information_schema\./i.test(s)) return informationSchema(c, s, o.tables);
      const table = o.tables.find((t) => s.includes(`\`${t.db}\`.\`${t.table}\``));
      if (table && /TABLESAMPLE REGIONS\(\)/i.test(s)) {
        const k = table.columns.findIndex((cl) => cl.name === table.primaryKey[0]);
        return result(c, [col(table.primaryKey[0]!)], table.regionStarts.filter((i) => i < table.rows.length).map((i) => [table.rows[i]![k]!]));
      }
      if (table && /^SELECT /i.test(s)) return sendRows(table, s);
      c.writeError({ code: 1105, message: `fake TiDB does not understand: ${s}` });
    };
    const sendRows = (table: FakeTable, s: string): void => {
      const names = [...s.slice(7, s.indexOf(' FROM ')).matchAll(/`((?:[^`]|``)+)`/g)].map((x) => x[1]!.replaceAll('``', '`'));
      const idx = names.map((n) => table.columns.findIndex((cl) => cl.name === n));
      const keyName = table.primaryKey[0]!;
      const k = table.columns.findIndex((cl) => cl.name === keyName);
      const where = s.includes(' WHERE ') ? s.slice(s.indexOf(' WHERE ')) : '';
      const bounds = [...where.matchAll(new RegExp('`' + keyName + '` (>=|>|<=|<) (-?\\d+)', 'g'))].map((x) => ({ op: x[1]!, v: BigInt(x[2]!) }));
      const rows = table.rows.filter((r) => bounds.every(({ op, v }) => cmp(BigInt(r[k]!), op, v)));
      c.writeColumns(names.map((n) => col(n)));
      for (const r of rows) {
        if (rowsUntilDeath-- <= 0) {
          dead = true;
          // A moment later, so the client has handed the rows already sent to its consumer.
          setTimeout(() => {
            if (deathKind === 'shutdown') c.writeError({ code: 1053, message: 'Server shutdown in progress' });
            for (const sock of sockets) sock.destroy();
          }, 100);
          return;
        }
        c.writeTextRow(idx.map((i) => r[i]!));
      }
      c.writeEof();
      c.sequenceId = 0;
    };
    c.on('query', answer);
    // mysql2's server routes statements starting with SET to 'stmt_prepare'.
    c.on('stmt_prepare', answer);
  });
  await new Promise<void>((resolve) => (server.listen as (...a: unknown[]) => unknown)(0, '127.0.0.1', () => resolve()));
  const port = ((server as unknown as { _server: { address(): AddressInfo } })._server.address()).port;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= new Promise<void>((resolve) => {
      for (const sock of sockets) sock.destroy();
      server.close(() => resolve());
    }));
  return {
    host: '127.0.0.1',
    port,
    log,
    gcLifeTime: () => gcLifeTime,
    dieAfterRows(n, how = 'shutdown') {
      rowsUntilDeath = n;
      deathKind = how;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

interface ServerConn {
  sequenceId: number;
  readonly stream: import('node:net').Socket;
  serverHandshake(args: Record<string, unknown>): void;
  on(event: string, fn: (sql: string) => void): void;
  writeOk(args?: Record<string, unknown>): void;
  writeError(args: { code: number; message: string }): void;
  writeColumns(columns: readonly Record<string, unknown>[]): void;
  writeTextRow(values: readonly (string | null)[]): void;
  writeEof(): void;
}

function col(name: string, columnType: number = T.VAR_STRING): Record<string, unknown> {
  return { catalog: 'def', schema: '', table: '', orgTable: '', name, orgName: name, characterSet: 33, columnLength: 1024, columnType, flags: 0, decimals: 0 };
}

function result(c: ServerConn, columns: readonly Record<string, unknown>[], rows: readonly (readonly (string | null)[])[]): void {
  c.writeColumns(columns);
  for (const r of rows) c.writeTextRow(r);
  c.writeEof();
  c.sequenceId = 0;
}

function cmp(a: bigint, op: string, b: bigint): boolean {
  return op === '>=' ? a >= b : op === '>' ? a > b : op === '<=' ? a <= b : a < b;
}

/** Answers describe's and estimateRows' information_schema reads; the quoted literals name db and table. */
function informationSchema(c: ServerConn, s: string, tables: readonly FakeTable[]): void {
  const lits = [...s.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((x) => x[1]!);
  const db = lits[0];
  const t = tables.find((x) => x.db === db && (lits[1] === undefined || x.table === lits[1]));
  if (/information_schema\.SCHEMATA/i.test(s)) return result(c, [col('name')], tables.some((x) => x.db === db) ? [[db!]] : []);
  if (!t) return result(c, [col('name')], []);
  if (/information_schema\.TABLES/i.test(s)) return result(c, [col('name'), col('type'), col('n', T.LONGLONG)], [[t.table, 'BASE TABLE', String(t.rows.length)]]);
  if (/information_schema\.COLUMNS/i.test(s)) {
    return result(c, ['name', 'dataType', 'columnType', 'nullable'].map((n) => col(n)), t.columns.map((cl) => [cl.name, cl.dataType, cl.columnType, cl.nullable === false ? 'NO' : 'YES']));
  }
  if (/information_schema\.STATISTICS/i.test(s)) {
    const rows: string[][] = [];
    t.primaryKey.forEach((name, i) => rows.push(['PRIMARY', '0', name, String(i + 1)]));
    for (const u of t.uniqueKeys ?? []) u.columns.forEach((name, i) => rows.push([u.name, '0', name, String(i + 1)]));
    return result(c, ['indexName', 'nonUnique', 'column', 'seq'].map((n) => col(n, n === 'nonUnique' || n === 'seq' ? T.LONGLONG : T.VAR_STRING)), rows);
  }
  c.writeError({ code: 1105, message: `fake TiDB: unexpected information_schema read: ${s}` });
}
