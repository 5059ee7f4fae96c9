// Solr request parameters (query string and form body, repeatable) and their translation into a
// typed SearchRequest. Bad numbers and unknown defTypes are BAD_REQUEST naming the parameter.
import { TidesearchError } from '../../errors/index.js';
import type { SearchRequest } from '../../engine/search/index.js';

/** Parameter name → values in the order sent (query string first, then form body). */
export type SolrParams = ReadonlyMap<string, readonly string[]>;

export function collectParams(...sources: unknown[]): SolrParams {
  const out = new Map<string, string[]>();
  for (const src of sources) {
    if (!src || typeof src !== 'object') continue;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const list = out.get(k) ?? [];
      for (const item of Array.isArray(v) ? v : [v]) if (item !== undefined && item !== null) list.push(String(item));
      out.set(k, list);
    }
  }
  return out;
}

export function first(p: SolrParams, name: string): string | undefined {
  return p.get(name)?.[0];
}

function all(p: SolrParams, name: string): string[] {
  return [...(p.get(name) ?? [])];
}

function int(p: SolrParams, name: string): number | undefined {
  const v = first(p, name);
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new TidesearchError('BAD_REQUEST', `Invalid Number: ${v} (parameter ${name} must be an integer)`, { field: name });
  return Number(v.trim());
}

function bool(p: SolrParams, name: string): boolean {
  const v = first(p, name)?.trim().toLowerCase();
  return v === 'true' || v === 'on' || v === 'yes' || v === '1';
}

export function searchRequestOf(p: SolrParams): SearchRequest {
  const defTypeText = (first(p, 'defType') ?? 'lucene').trim();
  let defType: 'lucene' | 'edismax';
  if (defTypeText === 'lucene' || defTypeText === 'standard') defType = 'lucene';
  else if (defTypeText === 'edismax' || defTypeText === 'dismax') defType = 'edismax';
  else throw new TidesearchError('BAD_REQUEST', `Unknown query parser '${defTypeText}'; supported: lucene, edismax`, { field: 'defType' });
  const qOpText = first(p, 'q.op')?.trim().toUpperCase();
  if (qOpText !== undefined && qOpText !== 'AND' && qOpText !== 'OR') throw new TidesearchError('BAD_REQUEST', `q.op must be AND or OR, got '${qOpText}'`, { field: 'q.op' });
  const req: { -readonly [K in keyof SearchRequest]: SearchRequest[K] } = {
    q: first(p, 'q'),
    defType,
    qOp: qOpText as 'AND' | 'OR' | undefined,
    df: first(p, 'df'),
    qf: all(p, 'qf').join(' ') || undefined,
    fq: all(p, 'fq'),
    fl: all(p, 'fl').join(',') || undefined,
    sort: first(p, 'sort'),
    start: int(p, 'start'),
    rows: int(p, 'rows'),
    cursorMark: first(p, 'cursorMark'),
  };
  if (bool(p, 'facet')) {
    const sort = first(p, 'facet.sort');
    req.facet = {
      fields: all(p, 'facet.field'),
      queries: all(p, 'facet.query'),
      limit: int(p, 'facet.limit'),
      mincount: int(p, 'facet.mincount'),
      offset: int(p, 'facet.offset'),
      sort: sort === 'index' || sort === 'lex' ? 'index' : sort === 'count' ? 'count' : undefined,
    };
  }
  if (bool(p, 'hl')) {
    req.hl = {
      fields: all(p, 'hl.fl').flatMap((f) => f.split(/[\s,]+/)).filter(Boolean),
      pre: first(p, 'hl.simple.pre') ?? first(p, 'hl.tag.pre'),
      post: first(p, 'hl.simple.post') ?? first(p, 'hl.tag.post'),
      fragsize: int(p, 'hl.fragsize'),
    };
  }
  return req;
}

/** responseHeader.params: what the client sent (echoParams=explicit, the default), or nothing for `none`. */
export function echoedParams(p: SolrParams): Record<string, string | string[]> | undefined {
  if (first(p, 'echoParams') === 'none') return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of p) out[k] = v.length === 1 ? v[0]! : [...v];
  return out;
}
