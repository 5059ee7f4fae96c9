// Takes the snapshot S on TiDB once: the start TSO of a transaction (@@tidb_current_ts), or, on servers that
// do not show it, the Position of SHOW MASTER STATUS (TiDB reports its current TSO there, as Dumpling reads it).
import { TidesearchError } from '../../errors/index.js';
import { parseTso, type Tso } from '../../core/tso.js';
import type { SqlConnection } from '../mysql/connection.js';

export async function takeSnapshotTs(conn: SqlConnection): Promise<Tso> {
  // WITH CONSISTENT SNAPSHOT makes TiDB fetch the start TSO now instead of at the first read.
  await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
  let ts: Tso = 0n;
  try {
    const rows = await conn.query<{ ts: unknown }>('SELECT @@tidb_current_ts AS ts');
    ts = toTso(rows[0]?.ts);
  } finally {
    await conn.query('ROLLBACK');
  }
  if (ts > 0n) return ts;
  const status = await conn.query<{ Position?: unknown }>('SHOW MASTER STATUS');
  const pos = toTso(status[0]?.Position);
  if (pos > 0n) return pos;
  throw new TidesearchError('SOURCE_ERROR', 'TiDB returned no snapshot TSO (@@tidb_current_ts and SHOW MASTER STATUS both empty)', { retriable: true });
}

function toTso(v: unknown): Tso {
  if (v === null || v === undefined) return 0n;
  if (Buffer.isBuffer(v)) return parseTso(v.toString('latin1'));
  return parseTso(typeof v === 'number' || typeof v === 'bigint' ? v : String(v));
}
