// A consistent snapshot of one table shared by several connections, and the parallel scan over it.
//
// Why a lock: START TRANSACTION WITH CONSISTENT SNAPSHOT on separate connections gives each its own read
// view; a write committed between two of them would be seen by one range reader and not another. So while
// the snapshot is taken, a separate connection holds `LOCK TABLES <t> READ`: its metadata lock waits for
// every transaction that has written <t> to finish and keeps new writes to <t> out, so all N read views
// see the same state of <t>. Cost: writes to <t> (only <t>, unlike mysqldump's FLUSH TABLES WITH READ
// LOCK which stalls the whole server) wait a few milliseconds while N transactions start; acquiring the
// lock waits for long write transactions on <t> (bounded by lock_wait_timeout), and the user needs the
// LOCK TABLES privilege. Without it, when the lock is not granted within lockWaitSeconds, or with
// parallel = 1, one connection reads the whole table (still one consistent snapshot, no lock needed).
//
// The snapshot position S: MySQL/MariaDB have no TSO, so S is the clock TSO read just before the read
// views are created. Every change committed after the snapshot is stamped later than S by producers on
// the same clock, so the stream replays it; a change committed between the clock read and the snapshot
// (possible only without the lock) is in the dump and replayed too, which versioned applies make harmless.
import type { TableSchema } from '../../core/schema.js';
import { clockTso, parseTso, type Tso } from '../../core/tso.js';
import type { RowImage } from '../../core/value.js';
import { TidesearchError } from '../../errors/index.js';
import type { ScanOptions, Snapshot, SnapshotPosition } from '../source.js';
import { quoteIdentifier, quoteTableName } from '../identifiers.js';
import { isSpatial } from '../type-map.js';
import { BatchQueue } from './batch-queue.js';
import { connect, type ConnectOptions, type SqlConnection } from './connection.js';
import { planRanges, splitColumn, WHOLE_TABLE, type KeyRange } from './key-ranges.js';
import { rowDecoder, type RowDecoder } from './row-decoder.js';

export interface SnapshotOptions {
  readonly connect: ConnectOptions;
  readonly dialect: SnapshotPosition['dialect'];
  readonly parallel: number;
  readonly offsetMinutes: number;
  /**
   * Seconds to wait for the table lock before reading with one connection instead. Keep it short: while
   * LOCK TABLES waits for a long write transaction, new writes to the table queue behind it.
   */
  readonly lockWaitSeconds: number;
  readonly estimateRows: () => Promise<number>;
  readonly signal?: AbortSignal;
}

/** The server must keep writing to a reader paused by back-pressure; the default 60 s is too short. */
const NET_WRITE_TIMEOUT_SECONDS = 86_400;
/** Rows per range when splitting: small enough to balance readers, large enough to amortise a query. */
const ROWS_PER_RANGE = 100_000;

export async function openMySqlSnapshot(schema: TableSchema, o: SnapshotOptions): Promise<Snapshot> {
  o.signal?.throwIfAborted();
  const conns: SqlConnection[] = [];
  const closeAll = (): void => conns.splice(0).forEach((c) => c.destroy());
  try {
    // TiDB through the MySQL protocol: LOCK TABLES is off by default (and may be silently ignored), so
    // one connection reads; its own TSO is the exact S there.
    const wanted = o.dialect === 'tidb' ? 1 : Math.max(1, Math.floor(o.parallel));
    for (const c of await Promise.all(Array.from({ length: wanted }, () => connect(o.connect)))) conns.push(c);
    await Promise.all(conns.map((c) => prepareSession(c)));
    const { snapshotTs, binlog } = wanted > 1 ? await beginLocked(schema, conns, o) : await beginSingle(conns[0]!, o.dialect);
    o.signal?.throwIfAborted();
    const position: SnapshotPosition = { snapshotTs, dialect: o.dialect, ...(binlog ? { binlog } : {}) };
    return new MySqlSnapshot(schema, position, conns, o);
  } catch (err) {
    closeAll();
    throw err;
  }
}

async function prepareSession(c: SqlConnection): Promise<void> {
  // TIMESTAMP values then print in UTC; DATETIME is printed as stored whatever the zone.
  await c.query("SET SESSION time_zone = '+00:00'");
  await c.query(`SET SESSION net_write_timeout = ${NET_WRITE_TIMEOUT_SECONDS}`);
  await c.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
}

type Begun = { snapshotTs: Tso; binlog?: SnapshotPosition['binlog'] };

/** All connections open their read views while writes to the table are held off (see the header). */
async function beginLocked(schema: TableSchema, conns: SqlConnection[], o: SnapshotOptions): Promise<Begun> {
  const lock = await connect(o.connect);
  try {
    await lock.query(`SET SESSION lock_wait_timeout = ${Math.max(1, Math.floor(o.lockWaitSeconds))}`);
    try {
      await lock.query(`LOCK TABLES ${quoteTableName(schema.db, schema.table)} READ`);
    } catch (err) {
      if (!cannotLock(err)) throw err;
      // No LOCK TABLES privilege (or no table locks at all, as on TiDB), or a long write transaction
      // kept the lock away: one connection is still a correct snapshot, just not a parallel one.
      for (const c of conns.splice(1)) c.destroy();
      return await beginSingle(conns[0]!, o.dialect);
    }
    const snapshotTs = clockTso();
    // One after another: under the lock their order and spacing cannot matter, and it costs N round trips.
    for (const c of conns) await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const binlog = await binlogPosition(conns[0]!, o.dialect);
    await lock.query('UNLOCK TABLES');
    return { snapshotTs, ...(binlog ? { binlog } : {}) };
  } finally {
    await lock.end();
  }
}

async function beginSingle(c: SqlConnection, dialect: SnapshotOptions['dialect']): Promise<Begun> {
  const clockTs = clockTso();
  await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  if (dialect === 'tidb') {
    const [row] = await c.query<{ ts: string | number }>('SELECT CAST(@@tidb_current_ts AS CHAR) AS ts');
    return { snapshotTs: parseTso(String(row?.ts)) };
  }
  const snapshotTs = clockTs;
  const binlog = await binlogPosition(c, dialect);
  return { snapshotTs, ...(binlog ? { binlog } : {}) };
}

/**
 * For the record. MariaDB reports the binlog position matching this transaction's read view exactly
 * (binlog_snapshot_file/position); MySQL only has the current position, exact while the lock is held.
 * Missing binlog or privileges leave it out rather than failing the dump.
 */
async function binlogPosition(c: SqlConnection, dialect: SnapshotOptions['dialect']): Promise<SnapshotPosition['binlog']> {
  try {
    if (dialect === 'mariadb') {
      const rows = await c.query<{ Variable_name: string; Value: string }>("SHOW STATUS LIKE 'binlog_snapshot_%'");
      const get = (n: string): string | undefined => rows.find((r) => r.Variable_name.toLowerCase() === n)?.Value;
      const file = get('binlog_snapshot_file');
      const pos = get('binlog_snapshot_position');
      if (!file || pos === undefined) return undefined;
      const gtid = (await c.query<{ g: string | null }>('SELECT @@GLOBAL.gtid_binlog_pos AS g'))[0]?.g ?? '';
      return { file, pos: Number(pos), ...(gtid ? { gtid } : {}) };
    }
    const rows = await c.query<{ File: string; Position: number | string; Executed_Gtid_Set?: string }>('SHOW MASTER STATUS');
    const r = rows[0];
    if (!r) return undefined;
    return { file: r.File, pos: Number(r.Position), ...(r.Executed_Gtid_Set ? { gtid: r.Executed_Gtid_Set } : {}) };
  } catch {
    return undefined;
  }
}

const CANNOT_LOCK = new Set([
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_NOT_SUPPORTED_YET',
]);

function cannotLock(err: unknown): boolean {
  return CANNOT_LOCK.has((err as { cause?: { code?: string } }).cause?.code ?? '');
}

class MySqlSnapshot implements Snapshot {
  private scanning = false;
  private released = false;
  private readonly onAbort = (): void => this.release();

  constructor(
    private readonly schema: TableSchema,
    readonly position: SnapshotPosition,
    private readonly conns: SqlConnection[],
    private readonly o: SnapshotOptions,
  ) {
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Connections that joined the snapshot: the most rows() can read with. */
  get parallelism(): number {
    return this.conns.length;
  }

  estimateRows(): Promise<number> {
    return this.o.estimateRows();
  }

  async *rows(scan: ScanOptions): AsyncIterable<readonly RowImage[]> {
    if (this.released) throw new TidesearchError('INTERNAL', 'snapshot already released');
    if (this.scanning) throw new TidesearchError('INTERNAL', 'a scan of this snapshot is already running');
    scan.signal?.throwIfAborted();
    const byName = new Map(this.schema.columns.map((c) => [c.name, c]));
    const columns = scan.columns.map((name) => {
      const c = byName.get(name);
      if (!c) throw new TidesearchError('COLUMN_NOT_FOUND', `column '${name}' does not exist in table '${this.schema.table}'`, { field: 'columns' });
      return c;
    });
    const select =
      'SELECT ' +
      columns.map((c) => (isSpatial(c.sqlType) ? `ST_AsText(${quoteIdentifier(c.name)})` : quoteIdentifier(c.name))).join(', ') +
      ` FROM ${quoteTableName(this.schema.db, this.schema.table)}`;
    const batchSize = Math.max(1, Math.floor(scan.batchSize ?? 1000));
    this.scanning = true;
    try {
      yield* this.scan(select, rowDecoder(columns, this.o.offsetMinutes), batchSize, scan);
    } finally {
      this.scanning = false;
    }
  }

  private async *scan(select: string, decoder: RowDecoder, batchSize: number, scan: ScanOptions): AsyncGenerator<readonly RowImage[]> {
    const readers = this.conns.slice(0, Math.max(1, Math.min(this.conns.length, Math.floor(scan.parallel ?? this.conns.length))));
    const queue = new BatchQueue<readonly RowImage[]>(readers.length * 2);
    const abort = (): void => queue.close(scan.signal?.reason ?? new Error('aborted'));
    scan.signal?.addEventListener('abort', abort, { once: true });
    let finished = false;
    let readersDone: Promise<void> | undefined;
    try {
      const ranges = readers.length > 1 ? await this.planRanges(readers[0]!, readers.length) : [WHOLE_TABLE];
      let next = 0;
      const read = async (conn: SqlConnection): Promise<void> => {
        for (let range = ranges[next++]; range !== undefined && !queue.closed; range = ranges[next++]) {
          let batch: RowImage[] = [];
          for await (const raw of conn.stream(range.where ? `${select} WHERE ${range.where}` : select)) {
            batch.push(decoder.decode(raw));
            if (batch.length >= batchSize) {
              if (!(await queue.push(batch))) return;
              batch = [];
            }
          }
          if (batch.length > 0 && !(await queue.push(batch))) return;
        }
      };
      readersDone = Promise.all(readers.map((c) => read(c)))
        .then(() => queue.close())
        .catch((err: unknown) => queue.close(err));
      yield* queue.drain();
      finished = true;
      await readersDone;
    } finally {
      scan.signal?.removeEventListener('abort', abort);
      if (!finished) {
        // A result cannot be cancelled mid-stream on the wire: dropping the sockets is the way to stop
        // the readers (their streams end with an error nobody awaits), and it ends this snapshot.
        queue.close(new Error('scan stopped'));
        this.release();
      }
    }
  }

  /** Ranges on the leading integer key, read inside the snapshot so they cover exactly its rows. */
  private async planRanges(conn: SqlConnection, readers: number): Promise<readonly KeyRange[]> {
    const column = splitColumn(this.schema);
    if (!column) return [WHOLE_TABLE];
    const k = quoteIdentifier(column.name);
    const [bounds] = await conn.query<{ lo: string | number | null; hi: string | number | null }>(
      `SELECT MIN(${k}) AS lo, MAX(${k}) AS hi FROM ${quoteTableName(this.schema.db, this.schema.table)}`,
    );
    if (!bounds || bounds.lo === null || bounds.hi === null) return [WHOLE_TABLE];
    const estimate = await this.o.estimateRows().catch(() => 0);
    const count = Math.min(4096, Math.max(readers * 4, Math.ceil(estimate / ROWS_PER_RANGE)));
    return planRanges(column.name, BigInt(bounds.lo), BigInt(bounds.hi), count);
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.o.signal?.removeEventListener('abort', this.onAbort);
    for (const c of this.conns) c.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.o.signal?.removeEventListener('abort', this.onAbort);
    await Promise.all(this.conns.map((c) => c.end()));
  }
}
