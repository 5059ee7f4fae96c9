// Compiles a Query tree into a Condition over one index generation: full-text fields go through their
// analyzer (query mode) into FTS5 expressions with column filters; exact and non-text fields become typed
// B-tree predicates. Values are always bound parameters; columns come from the layout, never from users.
import { TidesearchError } from '../../errors/index.js';
import type { AnalyzerRegistry } from '../analysis/analyzer.js';
import type { FieldLayout } from '../store/layout.js';
import type { LeafQuery, Query, RangeQuery, WeightedField, WildcardPart } from './ast.js';
import { ALL, NONE, and, not, or, type Condition } from './condition.js';
import type { FieldCatalog } from './fields.js';
import { kindLabel, paramFor, type SqlParam } from './field-values.js';
import { allOf, anyOf, inColumns, near, phrase, quoteToken } from './fts-expr.js';

/** Finds indexed terms of one FTS5 column (wildcards and ranges on full-text fields expand through it). */
export interface TermExpander {
  expand(ftsColumn: number, match: TermMatch, limit: number): readonly string[];
}
export type TermMatch =
  | { readonly glob: string; readonly prefix: string }
  | { readonly lower: string | null; readonly upper: string | null; readonly includeLower: boolean; readonly includeUpper: boolean };

export interface CompileContext {
  readonly fields: FieldCatalog;
  readonly analyzers: AnalyzerRegistry;
  /** Fields for leaves written without `field:` (df, or qf under edismax). */
  readonly defaultFields: readonly WeightedField[];
  readonly expander: TermExpander;
  /** Which request parameter the query came from (q, fq, facet.query), for error messages. */
  readonly param: string;
  /** Most terms a wildcard or range may expand to on a full-text field. */
  readonly maxExpansions?: number;
}

export interface CompiledQuery {
  readonly condition: Condition;
  /** bm25 weight per FTS5 column (qf weights, field boosts); 1 when the query says nothing. */
  readonly weights: readonly number[];
}

export function compileQuery(query: Query, ctx: CompileContext): CompiledQuery {
  const weights = new Array<number | undefined>(ctx.fields.ftsColumns).fill(undefined);
  const condition = new Compiler(ctx, weights).compile(query);
  return { condition, weights: weights.map((w) => w ?? 1) };
}

class Compiler {
  constructor(
    private readonly ctx: CompileContext,
    private readonly weights: (number | undefined)[],
  ) {}

  compile(q: Query): Condition {
    switch (q.kind) {
      case 'all':
        return ALL;
      case 'bool': {
        const must: Condition[] = [];
        const should: Condition[] = [];
        const mustNot: Condition[] = [];
        for (const c of q.clauses) {
          const cond = this.compile(c.query);
          (c.occur === 'must' ? must : c.occur === 'should' ? should : mustNot).push(cond);
        }
        // With required clauses present, optional ones only rank in Lucene; here they are not needed to match.
        const positive = must.length > 0 ? and(must) : should.length > 0 ? or(should) : ALL;
        return and([positive, ...mustNot.map(not)]);
      }
      default:
        return this.leaf(q);
    }
  }

  private leaf(q: LeafQuery): Condition {
    if (q.field !== null) return this.onField(q, this.ctx.fields.resolve(q.field, this.ctx.param), q.boost, true);
    const fields = this.ctx.defaultFields.map((f) => ({ layout: this.ctx.fields.resolve(f.name, this.ctx.param === 'q' ? 'df/qf' : this.ctx.param), weight: f.weight }));
    // Same FTS expression on several columns collapses into one column filter `{t0 t1} : (...)`.
    const ftsGroups = new Map<string, string[]>();
    const others: Condition[] = [];
    for (const { layout, weight } of fields) {
      const c = this.onField(q, layout, weight * q.boost, false);
      if (c.k === 'fts' && layout.ftsColumn !== null) {
        const inner = this.ftsBody(q, layout);
        if (inner !== null) {
          const cols = ftsGroups.get(inner) ?? [];
          cols.push(layout.ftsColumn);
          ftsGroups.set(inner, cols);
          continue;
        }
      }
      others.push(c);
    }
    const grouped: Condition[] = [...ftsGroups].map(([expr, cols]) => ({ k: 'fts', expr: inColumns(cols, expr) }));
    return or([...grouped, ...others]);
  }

  private onField(q: LeafQuery, layout: FieldLayout, weight: number, explicit: boolean): Condition {
    if (layout.ftsColumn !== null) {
      const i = layout.ftsIndex;
      this.weights[i] = Math.max(this.weights[i] ?? 0, weight);
      if (q.kind === 'exists') return this.exists(layout);
      const body = this.ftsBody(q, layout);
      return body === null ? NONE : { k: 'fts', expr: inColumns([layout.ftsColumn], body) };
    }
    return this.exact(q, layout, explicit);
  }

  /** The FTS5 expression (without column filter) for a leaf on a full-text field; null = matches nothing. */
  private ftsBody(q: LeafQuery, layout: FieldLayout): string | null {
    const analyzer = this.ctx.analyzers.get(layout.field.token);
    switch (q.kind) {
      case 'term': {
        if (analyzer.analyzeQueryGroups) {
          const groups = analyzer.analyzeQueryGroups(q.text);
          // A group's tokens may have overlapping index tokens between them (at most ~2 per character).
          return groups.length === 0 ? null : allOf(groups.map((g) => (g.length === 1 ? quoteToken(g[0]!) : near(g, 2 * g.length))));
        }
        const tokens = analyzer.analyze(q.text, 'query');
        if (tokens.length === 0) return null;
        return analyzer.queryJoin === 'phrase' ? phrase(tokens) : allOf(tokens.map(quoteToken));
      }
      case 'phrase': {
        const tokens = analyzer.analyze(q.text, 'query');
        if (tokens.length === 0) return null;
        // Analyzers whose index tokens overlap (ik: every word and character of a run) put other tokens between
        // a query's words, so an exact FTS5 phrase never matches: ask for the words near each other instead,
        // allowing the tokens the overlaps can add (at most ~2 per character of the phrase).
        if (analyzer.queryJoin === 'all' && tokens.length > 1) return near(tokens, q.slop + 2 * [...q.text].length);
        return q.slop > 0 && tokens.length > 1 ? near(tokens, q.slop) : phrase(tokens);
      }
      case 'prefix': {
        const pieces = asciiPieces(q.prefix);
        return pieces.length === 0 ? null : phrase(pieces, true);
      }
      case 'wildcard': {
        const first = q.parts[0];
        const prefix = first && 'literal' in first ? first.literal.toLowerCase() : '';
        return this.expansion(layout, { glob: globOf(q.parts, true), prefix });
      }
      case 'range':
        return this.expansion(layout, {
          lower: q.lower === null ? null : q.lower.toLowerCase(),
          upper: q.upper === null ? null : q.upper.toLowerCase(),
          includeLower: q.includeLower,
          includeUpper: q.includeUpper,
        });
      case 'exists':
        return null;
    }
  }

  private expansion(layout: FieldLayout, match: TermMatch): string | null {
    const limit = this.ctx.maxExpansions ?? 1024;
    const terms = this.ctx.expander.expand(layout.ftsIndex, match, limit + 1);
    if (terms.length > limit) {
      throw new TidesearchError('QUERY_SYNTAX', `${this.ctx.param}: a wildcard or range on field ${layout.field.name} matches more than ${limit} terms; make it more specific`, {
        field: this.ctx.param,
      });
    }
    return terms.length === 0 ? null : anyOf(terms.map(quoteToken));
  }

  private exists(layout: FieldLayout): Condition {
    return { k: 'sql', sql: `d.${layout.column} IS NOT NULL`, params: [] };
  }

  private exact(q: LeafQuery, layout: FieldLayout, explicit: boolean): Condition {
    const col = `d.${layout.sortColumn}`;
    const kind = layout.field.kind;
    const typed = (text: string): SqlParam | undefined => {
      const v = paramFor(kind, text);
      if (v === undefined && explicit) {
        throw new TidesearchError('QUERY_SYNTAX', `${this.ctx.param}: field ${layout.field.name} holds ${kindLabel(kind)} values; cannot match '${text}'`, { field: this.ctx.param });
      }
      return v;
    };
    switch (q.kind) {
      case 'exists':
        return this.exists(layout);
      case 'term':
      case 'phrase': {
        const v = typed(q.text);
        return v === undefined ? NONE : { k: 'sql', sql: `${col} = ?`, params: [v], eq: { column: layout.sortColumn, value: v } };
      }
      case 'prefix':
        return { k: 'sql', sql: `d.${layout.column} GLOB ?`, params: [`${globEscape(q.prefix)}*`] };
      case 'wildcard':
        return { k: 'sql', sql: `d.${layout.column} GLOB ?`, params: [globOf(q.parts, false)] };
      case 'range':
        return this.range(q, col, typed);
    }
  }

  private range(q: RangeQuery, col: string, typed: (t: string) => SqlParam | undefined): Condition {
    const parts: string[] = [];
    const params: SqlParam[] = [];
    for (const [bound, op] of [
      [q.lower, q.includeLower ? '>=' : '>'],
      [q.upper, q.includeUpper ? '<=' : '<'],
    ] as const) {
      if (bound === null) continue;
      const v = typed(bound);
      if (v === undefined) return NONE;
      parts.push(`${col} ${op} ?`);
      params.push(v);
    }
    if (parts.length === 0) parts.push(`${col} IS NOT NULL`);
    return { k: 'sql', sql: parts.join(' AND '), params };
  }
}

/** ASCII-tokenizer pieces of a prefix: FTS5's ascii tokenizer splits on ASCII non-alphanumerics. */
function asciiPieces(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/)
    .filter(Boolean);
}

function globEscape(text: string): string {
  return text.replace(/[*?[]/g, (c) => `[${c}]`);
}

function globOf(parts: readonly WildcardPart[], lower: boolean): string {
  return parts.map((p) => ('literal' in p ? globEscape(lower ? p.literal.toLowerCase() : p.literal) : p.any === 'many' ? '*' : '?')).join('');
}

