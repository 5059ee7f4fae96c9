// Lays search results and errors out as Solr 9 does for wt=json: responseHeader, response, facet_counts
// (flat [value, count, ...] arrays), highlighting, nextCursorMark, and the error object with metadata.
import type { SearchResult } from '../../engine/search/index.js';
import type { TidesearchError } from '../../errors/index.js';

export interface Header {
  readonly status: number;
  readonly QTime: number;
  readonly params?: Record<string, string | string[]>;
}

/** The select answer without responseHeader (the route adds it first, with QTime and params). */
export function selectBody(r: SearchResult): Record<string, unknown> {
  const body: Record<string, unknown> = {
    response: { numFound: r.numFound, start: r.start, maxScore: r.maxScore, numFoundExact: true, docs: r.docs },
  };
  if (r.nextCursorMark !== undefined) body['nextCursorMark'] = r.nextCursorMark;
  if (r.facets) {
    body['facet_counts'] = {
      facet_queries: Object.fromEntries(r.facets.queries),
      facet_fields: Object.fromEntries(r.facets.fields.map(([name, pairs]) => [name, pairs.flatMap(([v, c]) => [v, c])])),
      facet_ranges: {},
      facet_intervals: {},
      facet_heatmaps: {},
    };
  }
  if (r.highlighting) body['highlighting'] = Object.fromEntries(r.highlighting);
  return body;
}

/** Solr's Java class names in `metadata`, which some clients log or match on. */
const ROOT_CLASS: Partial<Record<TidesearchError['code'], string>> = {
  QUERY_SYNTAX: 'org.apache.solr.parser.ParseException',
};

export function errorBody(header: Header, e: TidesearchError): Record<string, unknown> {
  const msg = e.code === 'QUERY_SYNTAX' ? `org.apache.solr.search.SyntaxError: ${e.message}` : e.message;
  return {
    responseHeader: header,
    error: {
      metadata: ['error-class', 'org.apache.solr.common.SolrException', 'root-error-class', ROOT_CLASS[e.code] ?? 'org.apache.solr.common.SolrException'],
      msg,
      code: e.status,
    },
  };
}
