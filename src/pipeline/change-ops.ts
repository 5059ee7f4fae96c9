// Turns decoded row changes of the indexed table into document operations: the document key from the
// key columns, the stored values, and the full-text tokens from each field's analyzer.
import type { StreamItem } from '../core/change.js';
import type { IndexSpec, TableSchema, TokenName } from '../core/schema.js';
import type { RowImage } from '../core/value.js';
import { docKeyOf, type DocKey } from '../core/doc-key.js';
import type { AnalyzerRegistry } from '../engine/analysis/analyzer.js';
import type { DocOp } from '../engine/store/writer.js';
import { layoutOf, type FieldLayout } from '../engine/store/layout.js';

type RowItem = Extract<StreamItem, { kind: 'row' }>;

/**
 * A document operation as decoded; `tokens`: the new image's index-mode tokens per full-text field, once
 * analysed; `sameTexts`: an update whose event says its full-text texts are unchanged (its before image's).
 */
export type PlainOp =
  | { readonly kind: 'upsert'; readonly key: DocKey; readonly version: bigint; readonly values: RowImage; tokens?: string[]; sameTexts?: boolean }
  | { readonly kind: 'delete'; readonly key: DocKey; readonly version: bigint };

/** The table as the decoders need it, rebuilt from the index definition (only indexed columns). */
export function tableSchemaOf(spec: IndexSpec): TableSchema {
  return {
    db: spec.db,
    table: spec.table,
    key: spec.key,
    keyKind: 'primary',
    columns: spec.fields.map((f) => ({ name: f.name, kind: f.kind, sqlType: f.sqlType, nullable: !f.isKey, ...(f.members ? { members: f.members } : {}) })),
  };
}

export class ChangeOps {
  readonly #spec: IndexSpec;
  readonly #fts: readonly FieldLayout[];
  readonly #analyzers: AnalyzerRegistry;

  constructor(spec: IndexSpec, analyzers: AnalyzerRegistry) {
    this.#spec = spec;
    this.#fts = layoutOf(spec).filter((l) => l.ftsColumn);
    this.#analyzers = analyzers;
  }

  matches(item: RowItem): boolean {
    // The decoders name the table as the spec spells it: compare as is first, then case-insensitively.
    const { db, table } = this.#spec;
    return (item.db === db || item.db.toLowerCase() === db.toLowerCase()) && (item.table === table || item.table.toLowerCase() === table.toLowerCase());
  }

  /** The analyzers of the full-text fields, in FTS column order. */
  get ftsTokenNames(): TokenName[] {
    return this.#fts.map((l) => l.field.token);
  }

  /** The names of the full-text fields, in FTS column order. */
  get ftsFieldNames(): string[] {
    return this.#fts.map((l) => l.field.name);
  }

  /** The texts of the full-text fields of a row, in FTS column order (null where NULL). */
  ftsTexts(row: RowImage): (string | null)[] {
    return this.#fts.map((l) => {
      const v = row[l.field.name];
      return v === null || v === undefined ? null : String(v);
    });
  }

  /** Index-mode tokens of a row on this thread (for callers without a worker pool). */
  tokensOf(row: RowImage): string[] {
    return this.tokensOfTexts(this.ftsTexts(row));
  }

  /** Index-mode tokens of one row's full-text texts (ftsTexts), per field joined by ' ' ('' for NULL). */
  tokensOfTexts(texts: readonly (string | null)[]): string[] {
    return this.#fts.map((l, i) => {
      const v = texts[i];
      return v === null || v === undefined ? '' : this.#analyzers.get(l.field.token).indexText(v);
    });
  }

  /** Do the images hold the same text in every full-text field? (then the new image's tokens are the old ones) */
  sameFtsTexts(a: RowImage, b: RowImage): boolean {
    return this.#fts.every((l) => {
      const x = a[l.field.name];
      const y = b[l.field.name];
      return x !== undefined && y !== undefined && (x === y || (x !== null && y !== null && String(x) === String(y)));
    });
  }

  /**
   * One row change → one or two operations (a key change deletes the old document), as plain data (they may
   * cross threads): the new image's tokens are attached by the caller, or asked for by the writer (`withTokens`).
   */
  toOps(item: RowItem): PlainOp[] {
    const key = this.#spec.key;
    const version = item.commitTs;
    if (item.op === 'delete') {
      const before = item.before ?? item.after;
      if (!before) throw new TypeError('delete without a row image');
      return [{ kind: 'delete', key: docKeyOf(key, before), version }];
    }
    const after = item.after;
    if (!after) throw new TypeError(`${item.op} without the new row image`);
    const newKey = docKeyOf(key, after);
    const ops: PlainOp[] = [];
    if (item.op === 'update' && item.before && key.every((k) => item.before![k] !== undefined)) {
      const oldKey = docKeyOf(key, item.before);
      if (oldKey !== newKey) ops.push({ kind: 'delete', key: oldKey, version });
    }
    ops.push({ kind: 'upsert', key: newKey, version, values: after });
    return ops;
  }

  /** The writer's operation: the tokens attached, or analysed on this thread if the writer needs them. */
  withTokens(op: PlainOp): DocOp {
    if (op.kind === 'delete') return op;
    const { values, tokens } = op;
    return { kind: 'upsert', key: op.key, version: op.version, values, tokens: tokens ?? (() => this.tokensOf(values)) };
  }
}

/** Does a DDL statement touch what the index depends on? (any indexed column, or the table itself) */
export function ddlAffectsIndex(spec: IndexSpec, ddlType: string, query: string): boolean {
  const t = ddlType.toLowerCase();
  if (/truncate|drop table|rename|drop database|exchange|partition/.test(t) || /\b(truncate|rename)\b/i.test(query)) return true;
  const q = query.toLowerCase();
  return spec.fields.some((f) => {
    const n = f.name.toLowerCase();
    return new RegExp(`[\\s\`(,]${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\`),]`).test(q) || q.endsWith(n);
  });
}
