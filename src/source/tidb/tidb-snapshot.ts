// The dump on TiDB: S taken once, every reading connection pinned to it with tidb_snapshot (never AS OF
// TIMESTAMP, which rounds to milliseconds), chunks along region boundaries read in parallel, and a chunk
// interrupted by a lost TiDB server resumed after its last key on another one (any server reads the same S).
import type { TableSchema } from '../../core/schema.js';
import type { RowImage } from '../../core/value.js';
import type { Tso } from '../../core/tso.js';
import { TidesearchError, isTidesearchError } from '../../errors/index.js';
import type { ScanOptions, Snapshot } from '../source.js';
import { quoteIdentifier, quoteTableName } from '../identifiers.js';
import { isSpatial } from '../type-map.js';
import { BatchQueue } from '../mysql/batch-queue.js';
import type { RawRow, RawValue, SqlConnection } from '../mysql/connection.js';
import { rowDecoder } from '../mysql/row-decoder.js';
import { guardGcLifeTime, type GcPolicy } from './gc-life-time.js';
import { takeSnapshotTs } from './snapshot-ts.js';
import { keyCompare, rangesFromStartKeys, regionStartKeys, type RegionRange } from './region-ranges.js';

export interface TidbConnector {
  /** A connection to a live TiDB server; after a loss, the next call moves on to another server. */
  connect(): Promise<{ readonly conn: SqlConnection; readonly addr: string }>;
}

export interface TidbSnapshotOptions {
  readonly gc: GcPolicy;
  /** UTC offset of DATETIME values, minutes east. */
  readonly offsetMinutes: number;
  readonly parallel: number;
  /** Connection losses tolerated per chunk before the dump fails. */
  readonly maxFailovers?: number;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Sessions of the dump read at S, in UTC (TIMESTAMP values are then read as UTC). */
export async function pinToSnapshot(conn: SqlConnection, ts: Tso): Promise<void> {
  await conn.query("SET time_zone = '+00:00'");
  await conn.query(`SET @@tidb_snapshot = '${ts.toString()}'`);
}

export async function openTidbSnapshot(schema: TableSchema, connector: TidbConnector, o: TidbSnapshotOptions): Promise<Snapshot> {
  const { conn: control, addr } = await connector.connect();
  let gc;
  try {
    const estimated = await estimate(control, schema);
    o.log(`dump step 1: ~${estimated} rows in ${schema.db}.${schema.table} (table statistics)`);
    gc = await guardGcLifeTime(control, estimated, o.gc);
    o.log(`dump step 2: ${gc.note}`);
    const snapshotTs = await takeSnapshotTs(control);
    o.log(`dump step 3: snapshot S = ${snapshotTs.toString()} taken on TiDB ${addr}`);
    await pinToSnapshot(control, snapshotTs);
    return new TidbSnapshot(schema, snapshotTs, control, gc.restore, connector, o);
  } catch (e) {
    const note = gc ? await gc.restore() : undefined;
    if (note) o.log(`dump: ${note}`);
    await control.end();
    throw e;
  }
}

/** MySQL errors that mean "this server is going away", where another TiDB server can carry on. */
const SERVER_GONE_ERRNOS = new Set([1053 /* ER_SERVER_SHUTDOWN */, 1317 /* ER_QUERY_INTERRUPTED */, 2013 /* CR_SERVER_LOST */]);

export function serverLost(e: unknown): e is TidesearchError {
  if (!isTidesearchError(e)) return false;
  if (e.code === 'SOURCE_UNREACHABLE') return true;
  const errno = (e.cause as { errno?: number } | undefined)?.errno;
  return e.code === 'SOURCE_ERROR' && errno !== undefined && SERVER_GONE_ERRNOS.has(errno);
}

async function estimate(conn: SqlConnection, schema: TableSchema): Promise<number> {
  const rows = await conn.query<{ n: unknown }>('SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
    schema.db,
    schema.table,
  ]);
  const n = Number(rows[0]?.n ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

class TidbSnapshot implements Snapshot {
  readonly position;
  private readonly open = new Set<SqlConnection>();
  private disposed: Promise<void> | undefined;

  constructor(
    private readonly schema: TableSchema,
    private readonly snapshotTs: Tso,
    private readonly control: SqlConnection,
    private readonly restoreGc: (via?: SqlConnection) => Promise<string | undefined>,
    private readonly connector: TidbConnector,
    private readonly o: TidbSnapshotOptions,
  ) {
    this.position = { snapshotTs, dialect: 'tidb' as const };
  }

  estimateRows(): Promise<number> {
    return estimate(this.control, this.schema);
  }

  async *rows(scan: ScanOptions): AsyncIterable<readonly RowImage[]> {
    const { schema } = this;
    const sampled = await regionStartKeys(this.control, schema);
    const ranges = 'keys' in sampled ? rangesFromStartKeys(sampled.keys) : [{}];
    this.o.log(
      'keys' in sampled
        ? `dump step 4: ${ranges.length} chunk(s) from ${sampled.keys.length} region(s) (TABLESAMPLE REGIONS())`
        : `dump step 4: TABLESAMPLE REGIONS() failed (${sampled.error}); reading the table as one chunk`,
    );
    const parallel = Math.max(1, Math.min(scan.parallel ?? this.o.parallel, ranges.length));
    const batchSize = scan.batchSize ?? 2000;
    const columns = scan.columns.map((name) => {
      const c = schema.columns.find((x) => x.name === name);
      if (!c) throw new TidesearchError('COLUMN_NOT_FOUND', `column '${name}' is not in ${schema.db}.${schema.table}`, { field: 'columns' });
      return c;
    });
    // Key columns ride along at the end when not asked for: resuming after a loss needs the last key read.
    const extraKey = schema.key.filter((k) => !scan.columns.includes(k));
    const selected = [...scan.columns, ...extraKey];
    const keyIndex = schema.key.map((k) => selected.indexOf(k));
    const selectList = selected
      .map((name) => {
        const c = schema.columns.find((x) => x.name === name)!;
        return isSpatial(c.sqlType) ? `ST_AsText(${quoteIdentifier(name)}) AS ${quoteIdentifier(name)}` : quoteIdentifier(name);
      })
      .join(', ');
    const orderBy = schema.key.map(quoteIdentifier).join(', ');
    const decoder = rowDecoder(columns, this.o.offsetMinutes);
    const queue = new BatchQueue<readonly RowImage[]>(parallel * 2);
    let next = 0;

    const readRange = async (conn: SqlConnection, range: RegionRange, after: readonly RawValue[] | undefined, onKey: (k: readonly RawValue[]) => void): Promise<void> => {
      const preds = [
        ...(range.lower ? [keyCompare(schema, range.lower, '>=')] : []),
        ...(range.upper ? [keyCompare(schema, range.upper, '<')] : []),
        ...(after ? [keyCompare(schema, after, '>')] : []),
      ];
      const where = preds.length ? ` WHERE ${preds.map((p) => p.sql).join(' AND ')}` : '';
      const sql = `SELECT ${selectList} FROM ${quoteTableName(schema.db, schema.table)}${where} ORDER BY ${orderBy}`;
      let batch: RowImage[] = [];
      let lastKey: readonly RawValue[] | undefined;
      for await (const raw of conn.stream(sql, preds.flatMap((p) => p.params))) {
        batch.push(decoder.decode(raw as RawRow));
        lastKey = keyIndex.map((i) => raw[i] ?? null);
        if (batch.length >= batchSize) {
          if (!(await queue.push(batch))) return;
          onKey(lastKey); // only rows handed over count as read
          batch = [];
          if (scan.signal?.aborted) throw scan.signal.reason;
        }
      }
      if (batch.length > 0 && (await queue.push(batch)) && lastKey) onKey(lastKey);
    };

    const worker = async (): Promise<void> => {
      let current: { conn: SqlConnection; addr: string } | undefined;
      const attach = async (): Promise<SqlConnection> => {
        current = await this.connector.connect();
        this.open.add(current.conn);
        await pinToSnapshot(current.conn, this.snapshotTs);
        return current.conn;
      };
      try {
        let conn = await attach();
        while (!queue.closed) {
          const i = next++;
          if (i >= ranges.length) return;
          let after: readonly RawValue[] | undefined;
          for (let failovers = 0; ; failovers++) {
            try {
              await readRange(conn, ranges[i]!, after, (k) => (after = k));
              break;
            } catch (e) {
              if (!serverLost(e) || failovers >= (this.o.maxFailovers ?? 3)) throw e;
              this.o.log(`dump: lost TiDB ${current?.addr} in chunk ${i + 1}/${ranges.length} (${e.message}); resuming after the last key on another server`);
              current?.conn.destroy();
              if (current) this.open.delete(current.conn);
              conn = await attach();
            }
          }
        }
      } finally {
        if (current) {
          this.open.delete(current.conn);
          await current.conn.end();
        }
      }
    };

    const workers = Array.from({ length: parallel }, () => worker());
    void Promise.all(workers).then(
      () => queue.close(),
      (e: unknown) => queue.close(e),
    );
    try {
      yield* queue.drain();
    } finally {
      queue.close();
      await Promise.allSettled(workers);
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      for (const c of this.open) c.destroy();
      let note = await this.restoreGc();
      if (note?.startsWith('could not restore')) {
        // The server that extended it is gone: any live TiDB server can set the global variable back.
        try {
          const { conn } = await this.connector.connect();
          note = (await this.restoreGc(conn)) ?? note;
          await conn.end();
        } catch (e) {
          note = `${note} (${(e as Error).message})`;
        }
      }
      if (note) this.o.log(`dump: ${note}`);
      await this.control.end();
    })();
    return this.disposed;
  }
}
