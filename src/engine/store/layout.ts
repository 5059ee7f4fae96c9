// The on-disk layout of one index generation (`gen-N.sqlite`). Writers (builder, change writer) and the
// searcher agree on it here, and nowhere else. Column names are positional (f0, f1, ...) so that no user
// column name is ever pasted into SQL.
//
//   meta(key TEXT PRIMARY KEY, value TEXT)          spec (IndexSpec JSON), snapshotTs, state, doc_count (doc-count.ts)
//   docs(rid INTEGER PRIMARY KEY,                   rid = the FTS5 rowid
//        doc_key TEXT NOT NULL UNIQUE,              core/doc-key.ts
//        version INTEGER NOT NULL,                  commitTs (TSO) that produced the document
//        f0, f1, ...)                               one per IndexSpec.fields entry, SQL type per storageOf()
//   docs has, for decimal fields, an extra REAL column fN_num used for ranges, sorts and facets.
//   tombstones(doc_key TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID
//   positions(topic TEXT, partition INTEGER, offset TEXT, PRIMARY KEY(topic, partition)) WITHOUT ROWID
//   fts: FTS5(t0, t1, ...) content='' contentless_delete=1 tokenize='ascii'; one column per full-text field
//        (search:true and token != 'string'); each holds the analyzer's index-mode tokens joined by ' '.
//   Exact-match (token 'string') and non-text fields are plain columns with a B-tree index (ix_fN).
//   value_counts(col, value, n) WITHOUT ROWID: stored counts of frequent exact text values (value-counts.ts).
//   norm_log(seq INTEGER PRIMARY KEY, rid): rids whose full-text row the change writer rewrote, for the
//        searchers' in-memory row lengths (norm-log.ts, native/tsrank.c).
import type { FieldKind } from '../../core/value.js';
import type { FieldSpec, IndexSpec } from '../../core/schema.js';

export type SqlType = 'INTEGER' | 'REAL' | 'TEXT';

export function storageOf(kind: FieldKind): SqlType {
  switch (kind) {
    case 'integer':
      return 'INTEGER';
    case 'float':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

export interface FieldLayout {
  readonly field: FieldSpec;
  /** Stored column in docs, e.g. `f3`. */
  readonly column: string;
  /** Column to compare/sort/facet on: `f3_num` for decimals, else `column`. */
  readonly sortColumn: string;
  /** FTS5 column name (e.g. `t1`) when the field is full-text searchable, else null. */
  readonly ftsColumn: string | null;
  /** Position of ftsColumn among the FTS5 columns (for bm25 weights), else -1. */
  readonly ftsIndex: number;
  /** True when matched exactly through the B-tree column (token 'string' or a non-text kind). */
  readonly exact: boolean;
}

export function isFullText(f: FieldSpec): boolean {
  return f.search && f.token !== 'string';
}

export function layoutOf(spec: IndexSpec): readonly FieldLayout[] {
  let fts = 0;
  return spec.fields.map((field, i) => {
    const fullText = isFullText(field);
    const ftsIndex = fullText ? fts++ : -1;
    return {
      field,
      column: `f${i}`,
      sortColumn: field.kind === 'decimal' ? `f${i}_num` : `f${i}`,
      ftsColumn: fullText ? `t${ftsIndex}` : null,
      ftsIndex,
      exact: !fullText,
    };
  });
}
