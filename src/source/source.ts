// The snapshot side as the pipeline sees it. Implementations: mysql/ (MySQL, MariaDB) and tikv/ (TiDB via PD).
import type { RowImage } from '../core/value.js';
import type { TableSchema } from '../core/schema.js';
import type { Tso } from '../core/tso.js';

export interface SnapshotPosition {
  /** The snapshot S: every change with commitTs > S is not in the dump (TiDB TSO, or a clock TSO on MySQL). */
  readonly snapshotTs: Tso;
  /** MySQL/MariaDB: the binlog coordinates at the snapshot, for the record. */
  readonly binlog?: { readonly file: string; readonly pos: number; readonly gtid?: string };
  readonly dialect: 'mysql' | 'mariadb' | 'tidb';
}

export interface ScanOptions {
  /** Columns to read, in this order (key columns included by the caller). */
  readonly columns: readonly string[];
  /** Rows per yielded batch. */
  readonly batchSize?: number;
  /** Connections reading key ranges in parallel. */
  readonly parallel?: number;
  readonly signal?: AbortSignal;
}

export interface Snapshot extends AsyncDisposable {
  readonly position: SnapshotPosition;
  /** A cheap estimate (information_schema / table statistics) for progress bars. */
  estimateRows(): Promise<number>;
  /** All rows at the snapshot, as canonical images, in batches; memory stays bounded (back-pressure). */
  rows(o: ScanOptions): AsyncIterable<readonly RowImage[]>;
}

export interface Source extends AsyncDisposable {
  /** Where it connected, for logs (never includes the password). */
  readonly description: string;
  /** Reads the table's columns and key; throws DATABASE_NOT_FOUND / TABLE_NOT_FOUND / NO_PRIMARY_KEY. */
  describe(db: string, table: string): Promise<TableSchema>;
  /**
   * `parallel`: connections to open at the snapshot (default chosen by the source); rows() reads with at
   * most this many, since on MySQL/MariaDB every connection must join the snapshot when it is taken.
   */
  openSnapshot(schema: TableSchema, o?: { signal?: AbortSignal; parallel?: number }): Promise<Snapshot>;
}
