// What a search asks for and what it answers, independent of HTTP: the Solr API translates its
// parameters into a SearchRequest and lays a SearchResult out as Solr's JSON.
import type { IndexValue } from '../../core/value.js';

export interface FacetRequest {
  readonly fields: readonly string[];
  readonly queries: readonly string[];
  /** facet.limit; negative = unlimited. Default 100. */
  readonly limit?: number;
  /** facet.mincount; default 0 (Solr lists zero-count values too). */
  readonly mincount?: number;
  readonly sort?: 'count' | 'index';
  readonly offset?: number;
}

export interface HighlightRequest {
  /** hl.fl; empty = the default search fields. `*` = every full-text field. */
  readonly fields: readonly string[];
  readonly pre?: string;
  readonly post?: string;
  /** hl.fragsize: characters per snippet; 0 = whole field. Default 100. */
  readonly fragsize?: number;
}

export interface SearchRequest {
  /** Lucene (or edismax) query text; blank or missing = all documents. */
  readonly q?: string;
  readonly defType?: 'lucene' | 'edismax';
  /** q.op */
  readonly qOp?: 'AND' | 'OR';
  readonly df?: string;
  /** edismax query fields with weights, e.g. `title^3 body`. */
  readonly qf?: string;
  readonly fq?: readonly string[];
  /** Field list as Solr writes it: `id,name score` or `*,score`. Default `*`. */
  readonly fl?: string;
  /** `price asc, score desc`. Default: score desc. */
  readonly sort?: string;
  readonly start?: number;
  readonly rows?: number;
  readonly facet?: FacetRequest;
  readonly hl?: HighlightRequest;
  /** `*` to start deep paging, then the nextCursorMark of the previous page. */
  readonly cursorMark?: string;
}

/** One returned document: field name → stored canonical value (plus `score` when asked for). */
export type Doc = Readonly<Record<string, IndexValue>>;

export interface FacetResult {
  /** facet.query → count, in request order. */
  readonly queries: readonly (readonly [string, number])[];
  /** facet.field → [value, count] pairs, in request order. Values in their text form, as Solr gives them. */
  readonly fields: readonly (readonly [string, readonly (readonly [string, number])[]])[];
}

export interface SearchResult {
  readonly numFound: number;
  readonly start: number;
  /** Present when `score` is in fl. */
  readonly maxScore?: number;
  readonly docs: readonly Doc[];
  readonly facets?: FacetResult;
  /** Unique key text → field → snippets; every returned doc has an entry. */
  readonly highlighting?: readonly (readonly [string, Readonly<Record<string, readonly string[]>>])[];
  readonly nextCursorMark?: string;
}
