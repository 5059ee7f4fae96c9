// The query tree between the Lucene/edismax parsers and the SQL compiler. Immutable plain data; a leaf's
// `field` is null when the query left it to the default fields (df, or qf under edismax).

export type Occur = 'must' | 'should' | 'mustNot';

/** One piece of a wildcard pattern: literal text, `*` (any run) or `?` (one character). */
export type WildcardPart = { readonly literal: string } | { readonly any: 'many' | 'one' };

interface Leaf {
  readonly field: string | null;
  readonly boost: number;
}

export interface MatchAllQuery {
  readonly kind: 'all';
  readonly boost: number;
}
export interface TermQuery extends Leaf {
  readonly kind: 'term';
  readonly text: string;
}
export interface PhraseQuery extends Leaf {
  readonly kind: 'phrase';
  readonly text: string;
  readonly slop: number;
}
export interface PrefixQuery extends Leaf {
  readonly kind: 'prefix';
  readonly prefix: string;
}
export interface WildcardQuery extends Leaf {
  readonly kind: 'wildcard';
  readonly parts: readonly WildcardPart[];
}
/** `field:*`: documents that have a value in the field. */
export interface ExistsQuery extends Leaf {
  readonly kind: 'exists';
}
export interface RangeQuery extends Leaf {
  readonly kind: 'range';
  /** null = open (`*`). */
  readonly lower: string | null;
  readonly upper: string | null;
  readonly includeLower: boolean;
  readonly includeUpper: boolean;
}
export interface BoolClause {
  readonly occur: Occur;
  readonly query: Query;
}
export interface BoolQuery {
  readonly kind: 'bool';
  readonly clauses: readonly BoolClause[];
  readonly boost: number;
}

export type Query = MatchAllQuery | TermQuery | PhraseQuery | PrefixQuery | WildcardQuery | ExistsQuery | RangeQuery | BoolQuery;
export type LeafQuery = Exclude<Query, MatchAllQuery | BoolQuery>;

/** A default field with its weight (df has weight 1; edismax qf carries `field^w`). */
export interface WeightedField {
  readonly name: string;
  readonly weight: number;
}

/** Lucene-like text form of a tree, for tests and debugging. */
export function formatQuery(q: Query): string {
  const b = q.boost === 1 ? '' : `^${q.boost}`;
  const f = (l: Leaf): string => (l.field === null ? '' : `${l.field}:`);
  switch (q.kind) {
    case 'all':
      return `*:*${b}`;
    case 'term':
      return `${f(q)}${q.text}${b}`;
    case 'phrase':
      return `${f(q)}"${q.text}"${q.slop ? `~${q.slop}` : ''}${b}`;
    case 'prefix':
      return `${f(q)}${q.prefix}*${b}`;
    case 'wildcard':
      return `${f(q)}${q.parts.map((p) => ('literal' in p ? p.literal : p.any === 'many' ? '*' : '?')).join('')}${b}`;
    case 'exists':
      return `${f(q)}*${b}`;
    case 'range':
      return `${f(q)}${q.includeLower ? '[' : '{'}${q.lower ?? '*'} TO ${q.upper ?? '*'}${q.includeUpper ? ']' : '}'}${b}`;
    case 'bool':
      return `(${q.clauses.map((c) => (c.occur === 'must' ? '+' : c.occur === 'mustNot' ? '-' : '') + formatQuery(c.query)).join(' ')})${b}`;
  }
}
