// Resolves field names used in q, fq, sort, fl and facets to their storage layout. Unknown names are
// UNDEFINED_FIELD errors that name the field and the parameter it came from.
import type { IndexSpec } from '../../core/schema.js';
import { TidesearchError } from '../../errors/index.js';
import { layoutOf, type FieldLayout } from '../store/layout.js';

export interface FieldCatalog {
  readonly spec: IndexSpec;
  readonly layouts: readonly FieldLayout[];
  /** Number of FTS5 columns (t0..tK). */
  readonly ftsColumns: number;
  /** The field Solr clients see as uniqueKey: the key column, or null for composite keys. */
  readonly uniqueKey: FieldLayout | null;
  find(name: string): FieldLayout | undefined;
  /** Like find, but throws UNDEFINED_FIELD naming the field and the parameter. */
  resolve(name: string, param: string): FieldLayout;
}

export function fieldCatalog(spec: IndexSpec): FieldCatalog {
  const layouts = layoutOf(spec);
  const byName = new Map(layouts.map((l) => [l.field.name, l]));
  const uniqueKey = spec.key.length === 1 ? (byName.get(spec.key[0]!) ?? null) : null;
  const find = (name: string): FieldLayout | undefined =>
    byName.get(name) ?? (name === 'id' && uniqueKey !== null ? uniqueKey : undefined);
  return {
    spec,
    layouts,
    ftsColumns: layouts.filter((l) => l.ftsColumn !== null).length,
    uniqueKey,
    find,
    resolve(name, param) {
      const l = find(name);
      if (!l) {
        throw new TidesearchError('UNDEFINED_FIELD', `undefined field ${name} in ${param}; index '${spec.name}' has fields: ${layouts.map((x) => x.field.name).join(', ')}`, {
          field: param,
        });
      }
      return l;
    },
  };
}
