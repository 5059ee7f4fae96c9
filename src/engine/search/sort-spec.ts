// Parses Solr's `sort` parameter (`price asc, score desc`) into SQL order keys. Every order ends with
// the document's rid, so ties are broken by document order and paging is deterministic.
import { TidesearchError } from '../../errors/index.js';
import type { FieldCatalog } from '../query/fields.js';
import type { SelectPlan } from './plan.js';

export interface SortKey {
  /** SQL expression, ascending = first. */
  readonly expr: string;
  readonly dir: 'asc' | 'desc';
  /** What the user wrote, for error messages. */
  readonly name: string;
}

export function sortKeys(sort: string | undefined, fields: FieldCatalog, plan: SelectPlan): SortKey[] {
  const keys: SortKey[] = [];
  const text = (sort ?? '').trim();
  if (text === '') {
    keys.push({ expr: plan.rankAsc, dir: 'asc', name: 'score' });
  } else {
    for (const item of text.split(',')) {
      const m = /^\s*(\S+)\s+(asc|desc)\s*$/i.exec(item);
      if (!m) {
        throw new TidesearchError('QUERY_SYNTAX', `Can't determine a Sort Order (asc or desc) in sort spec '${item.trim()}'; write it as 'field asc' or 'field desc'`, {
          field: 'sort',
        });
      }
      const name = m[1]!;
      const dir = m[2]!.toLowerCase() as 'asc' | 'desc';
      if (name === 'score') keys.push({ expr: plan.rankAsc, dir: dir === 'asc' ? 'desc' : 'asc', name });
      else if (name === '_docid_') keys.push({ expr: 'd.rid', dir, name });
      else keys.push({ expr: `d.${fields.resolve(name, 'sort').sortColumn}`, dir, name });
    }
  }
  keys.push({ expr: 'd.rid', dir: 'asc', name: '_docid_' });
  return keys;
}

export function orderBy(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.expr} ${k.dir.toUpperCase()}`).join(', ');
}
