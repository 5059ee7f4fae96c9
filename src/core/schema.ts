// The source table as the index sees it, and the index definition built from it.
import type { FieldKind } from './value.js';

export interface ColumnSchema {
  readonly name: string;
  readonly kind: FieldKind;
  /** The column type as the source declares it, e.g. `decimal(10,2)`, `enum('M','F')`, `bigint unsigned`. */
  readonly sqlType: string;
  readonly nullable: boolean;
  /** For ENUM and SET columns: the members in declaration order (TiCDC's open protocol sends indexes/bitmasks). */
  readonly members?: readonly string[];
}

export interface TableSchema {
  readonly db: string;
  readonly table: string;
  readonly columns: readonly ColumnSchema[];
  /** Columns of the primary key, or of the NOT NULL unique key used in its place, in key order. */
  readonly key: readonly string[];
  /** Which kind of key `key` is. */
  readonly keyKind: 'primary' | 'unique';
}

/** Analyzer names accepted in a column's `token`. */
export const TOKEN_NAMES = ['ik', 'like', 'pinyin', 'string', 'text_ws', 'standard'] as const;
export type TokenName = (typeof TOKEN_NAMES)[number];

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly sqlType: string;
  /** The analyzer for full-text search; for `string` the field is matched exactly (not in full-text). */
  readonly token: TokenName;
  /** false: stored and returned, not searchable. */
  readonly search: boolean;
  readonly isKey: boolean;
  readonly members?: readonly string[];
}

export interface IndexSpec {
  readonly name: string;
  readonly db: string;
  readonly table: string;
  /** Key columns; the document id is built from them (see doc-key.ts). */
  readonly key: readonly string[];
  /** Indexed fields in the order the user listed them; key columns are always present. */
  readonly fields: readonly FieldSpec[];
}
