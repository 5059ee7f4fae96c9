// Turns the user's column list and the source table's schema into the index definition, naming the
// offending column when the two disagree.
import type { FieldSpec, IndexSpec, TableSchema, TokenName } from '../core/schema.js';
import type { FieldKind } from '../core/value.js';
import { TidesearchError } from '../errors/index.js';
import type { ColumnRequest } from './requests.js';

const TEXT_KINDS: readonly FieldKind[] = ['string'];

function defaultToken(kind: FieldKind): TokenName {
  return TEXT_KINDS.includes(kind) ? 'ik' : 'string';
}

export interface SpecNotes {
  readonly spec: IndexSpec;
  /** Things the user may want to know about (shown in the response's msg). */
  readonly notes: readonly string[];
}

export function buildIndexSpec(indexName: string, schema: TableSchema, columns: readonly ColumnRequest[]): SpecNotes {
  const notes: string[] = [];
  const byName = new Map(schema.columns.map((c) => [c.name.toLowerCase(), c]));
  const fields: FieldSpec[] = [];
  columns.forEach((req, i) => {
    const col = byName.get(req.name.toLowerCase());
    if (!col) {
      const known = schema.columns.map((c) => c.name).join(', ');
      throw new TidesearchError('COLUMN_NOT_FOUND', `table ${schema.db}.${schema.table} has no column '${req.name}'; its columns are: ${known}`, { field: `columns[${i}].name` });
    }
    const isKey = schema.key.includes(col.name);
    let token = req.token ?? defaultToken(col.kind);
    if (token !== 'string' && !TEXT_KINDS.includes(col.kind) && col.kind !== 'integer' && col.kind !== 'decimal') {
      notes.push(`column '${col.name}' is ${col.sqlType}: token '${token}' ignored, matched exactly`);
      token = 'string';
    }
    if (isKey && token !== 'string' && req.search) {
      notes.push(`key column '${col.name}' stays the exact document id and is also searchable as text with '${token}'`);
    }
    fields.push({ name: col.name, kind: col.kind, sqlType: col.sqlType, token, search: req.search, isKey, ...(col.members ? { members: col.members } : {}) });
  });
  // The key is always the document id, whether or not it was listed.
  for (const k of schema.key) {
    if (fields.some((f) => f.name === k)) continue;
    const col = schema.columns.find((c) => c.name === k)!;
    fields.push({ name: col.name, kind: col.kind, sqlType: col.sqlType, token: 'string', search: true, isKey: true, ...(col.members ? { members: col.members } : {}) });
    notes.push(`key column '${k}' added as the document id`);
  }
  return { spec: { name: indexName, db: schema.db, table: schema.table, key: [...schema.key], fields }, notes };
}
