// The boolean condition a query compiles to, before it becomes SQL: full-text leaves (FTS5 expressions)
// and column predicates on `docs d`. Maximal full-text subtrees are merged into one FTS5 expression so
// that SQLite evaluates them inside the FTS index; the rest becomes ordinary SQL with sub-selects.
import type { SqlParam } from './field-values.js';

export type Condition =
  | { readonly k: 'all' }
  | { readonly k: 'none' }
  | { readonly k: 'fts'; readonly expr: string }
  | {
      readonly k: 'sql';
      readonly sql: string;
      readonly params: readonly SqlParam[];
      /** Set when the predicate is `column = value` on an exact field (its hits may have a stored count). */
      readonly eq?: { readonly column: string; readonly value: SqlParam };
    }
  | { readonly k: 'and'; readonly items: readonly Condition[] }
  | { readonly k: 'or'; readonly items: readonly Condition[] }
  | { readonly k: 'not'; readonly item: Condition };

export const ALL: Condition = { k: 'all' };
export const NONE: Condition = { k: 'none' };

export function and(items: readonly Condition[]): Condition {
  const flat: Condition[] = [];
  for (const c of items) {
    if (c.k === 'all') continue;
    if (c.k === 'none') return NONE;
    if (c.k === 'and') flat.push(...c.items);
    else flat.push(c);
  }
  if (flat.length === 0) return ALL;
  return flat.length === 1 ? flat[0]! : { k: 'and', items: flat };
}

export function or(items: readonly Condition[]): Condition {
  const flat: Condition[] = [];
  for (const c of items) {
    if (c.k === 'none') continue;
    if (c.k === 'all') return ALL;
    if (c.k === 'or') flat.push(...c.items);
    else flat.push(c);
  }
  if (flat.length === 0) return NONE;
  return flat.length === 1 ? flat[0]! : { k: 'or', items: flat };
}

export function not(item: Condition): Condition {
  if (item.k === 'all') return NONE;
  if (item.k === 'none') return ALL;
  if (item.k === 'not') return item.item;
  return { k: 'not', item };
}

/**
 * The condition as one FTS5 expression, or null when it needs SQL (column predicates, match-all, or a
 * negation with nothing positive beside it: FTS5's NOT is binary).
 */
export function ftsOf(c: Condition): string | null {
  switch (c.k) {
    case 'fts':
      return c.expr;
    case 'or': {
      const parts = c.items.map(ftsOf);
      return parts.every((p) => p !== null) ? parts.map((p) => `(${p})`).join(' OR ') : null;
    }
    case 'and': {
      const pos: string[] = [];
      const neg: string[] = [];
      for (const item of c.items) {
        const inner = item.k === 'not' ? ftsOf(item.item) : ftsOf(item);
        if (inner === null) return null;
        (item.k === 'not' ? neg : pos).push(inner);
      }
      if (pos.length === 0) return null;
      return pos.map((p) => `(${p})`).join(' AND ') + neg.map((n) => ` NOT (${n})`).join('');
    }
    default:
      return null;
  }
}

/** The condition as an SQL predicate over `docs d`; parameters are appended to `params` in order. */
export function sqlOf(c: Condition, params: SqlParam[]): string {
  const fts = c.k === 'fts' || c.k === 'and' || c.k === 'or' ? ftsOf(c) : null;
  if (fts !== null) {
    params.push(fts);
    return 'd.rid IN (SELECT rowid FROM fts WHERE fts MATCH ?)';
  }
  switch (c.k) {
    case 'all':
      return '1';
    case 'none':
      return '0';
    case 'sql':
      params.push(...c.params);
      return c.sql;
    case 'and': {
      // Full-text conjuncts share one sub-select; the rest stay separate predicates.
      const ftsItems = c.items.filter((i) => ftsOf(i.k === 'not' ? i.item : i) !== null);
      const merged = ftsItems.some((i) => i.k !== 'not') ? [{ k: 'and', items: ftsItems } as Condition] : [];
      const rest = merged.length ? c.items.filter((i) => !ftsItems.includes(i)) : c.items;
      return [...merged, ...rest].map((i) => `(${sqlOf(i, params)})`).join(' AND ');
    }
    case 'or':
      return c.items.map((i) => `(${sqlOf(i, params)})`).join(' OR ');
    case 'not':
      // NULL-safe: a document without the field is not excluded by `-field:x`.
      return `NOT COALESCE((${sqlOf(c.item, params)}), 0)`;
    case 'fts':
      throw new Error('unreachable');
  }
}

/** FTS5 expressions of the positive full-text leaves (what scoring should rank by). */
export function positiveFts(c: Condition): string[] {
  switch (c.k) {
    case 'fts':
      return [c.expr];
    case 'and':
    case 'or':
      return c.items.flatMap(positiveFts);
    default:
      return [];
  }
}
