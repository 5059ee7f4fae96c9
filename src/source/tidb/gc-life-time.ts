// Keeps TiDB from garbage-collecting the snapshot under a running dump: compares tidb_gc_life_time with the
// expected dump time and either extends it for the dump (restored afterwards) or refuses with what to set.
import { TidesearchError } from '../../errors/index.js';
import type { SqlConnection } from '../mysql/connection.js';

export interface GcPolicy {
  /** Extend tidb_gc_life_time when too short (default); false: refuse with GC_LIFE_TIME_TOO_SHORT instead. */
  readonly extend: boolean;
  /** Rows per second the dump is assumed to sustain end to end (the index build is usually the bottleneck). */
  readonly assumedRowsPerSecond: number;
}

export const DEFAULT_GC_POLICY: GcPolicy = { extend: true, assumedRowsPerSecond: 20_000 };

export interface GcGuard {
  /** What happened, for the task log. */
  readonly note: string;
  /**
   * Puts the original value back if it is still ours, through `via` (default: the connection that changed it,
   * which may be gone after a fail-over). Returns what happened; undefined when there was nothing (left) to do.
   * Never throws; after a failure it can be called again with another connection.
   */
  restore(via?: SqlConnection): Promise<string | undefined>;
}

const UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** Go duration text (`10m0s`, `1h30m`, `720h`, `1.5h`) → milliseconds. */
export function parseGoDuration(text: string): number {
  const t = text.trim();
  const re = /(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== t.length) throw new TypeError(`not a Go duration: ${JSON.stringify(text)}`);
  return total;
}

/** Milliseconds → a Go duration TiDB accepts, rounded up to whole minutes (`2h5m`, `45m`). */
export function formatGoDuration(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h}h${m > 0 ? `${m}m` : ''}` : `${m}m`;
}

/**
 * Twice the expected time (estimates from table statistics can be far off), and never less than TiDB's
 * default 10m, so small dumps change nothing.
 */
export function requiredGcLifeTimeMs(estimatedRows: number, rowsPerSecond: number): number {
  const expectedMs = (Math.max(0, estimatedRows) / Math.max(0.001, rowsPerSecond)) * 1000;
  return Math.max(2 * expectedMs, 10 * 60_000);
}

export async function guardGcLifeTime(conn: SqlConnection, estimatedRows: number, policy: GcPolicy): Promise<GcGuard> {
  const rows = await conn.query<{ v: unknown }>('SELECT @@GLOBAL.tidb_gc_life_time AS v');
  const original = String(rows[0]?.v ?? '');
  const currentMs = parseGoDuration(original);
  const neededMs = requiredGcLifeTimeMs(estimatedRows, policy.assumedRowsPerSecond);
  const expected = formatGoDuration((Math.max(0, estimatedRows) / Math.max(0.001, policy.assumedRowsPerSecond)) * 1000);
  if (currentMs >= neededMs) {
    return { note: `tidb_gc_life_time ${original} covers the expected dump time (~${expected} for ~${estimatedRows} rows)`, restore: async () => undefined };
  }
  const wanted = formatGoDuration(neededMs);
  const tooShort = (why: string): TidesearchError =>
    new TidesearchError(
      'GC_LIFE_TIME_TOO_SHORT',
      `tidb_gc_life_time is ${original} but dumping ~${estimatedRows} rows is expected to take ~${expected}; TiDB could garbage-collect the snapshot ` +
        `before the dump ends. ${why} Run SET GLOBAL tidb_gc_life_time = '${wanted}' on TiDB before the build (and set it back after).`,
    );
  if (!policy.extend) throw tooShort('Extending it automatically is turned off.');
  try {
    await conn.query(`SET GLOBAL tidb_gc_life_time = '${wanted}'`);
  } catch (e) {
    throw tooShort(`Tidesearch could not extend it (${(e as Error).message}).`);
  }
  let done = false;
  return {
    note: `tidb_gc_life_time extended from ${original} to ${wanted} for the dump (~${estimatedRows} rows); it is restored when the dump ends`,
    async restore(via = conn) {
      if (done) return undefined;
      try {
        const now = await via.query<{ v: unknown }>('SELECT @@GLOBAL.tidb_gc_life_time AS v');
        done = true;
        // Someone changed it meanwhile (an operator, another dump): theirs wins.
        if (parseGoDuration(String(now[0]?.v ?? '0s')) !== parseGoDuration(wanted)) {
          return `tidb_gc_life_time was changed to ${String(now[0]?.v)} during the dump; left as is`;
        }
        await via.query(`SET GLOBAL tidb_gc_life_time = '${original}'`);
        return `tidb_gc_life_time restored to ${original}`;
      } catch (e) {
        done = false;
        return `could not restore tidb_gc_life_time to ${original}: ${(e as Error).message}; run SET GLOBAL tidb_gc_life_time = '${original}'`;
      }
    },
  };
}
