// The `/schema/fields` answer: each index field as Solr would declare it (type names a Solr user knows).
import type { FieldSpec, IndexSpec } from '../../core/schema.js';
import { isFullText } from '../../engine/store/layout.js';

function solrType(f: FieldSpec): string {
  if (isFullText(f)) return `text_${f.token}`;
  switch (f.kind) {
    case 'integer':
      return 'plong';
    case 'float':
    case 'decimal':
      return 'pdouble';
    case 'datetime':
      return 'pdate';
    default:
      return 'string';
  }
}

export function schemaFields(spec: IndexSpec): Record<string, unknown>[] {
  return spec.fields.map((f) => {
    const unique = spec.key.length === 1 && spec.key[0] === f.name;
    return {
      name: f.name,
      type: solrType(f),
      multiValued: false,
      indexed: f.search || f.isKey,
      stored: true,
      ...(unique ? { required: true, uniqueKey: true } : {}),
    };
  });
}
