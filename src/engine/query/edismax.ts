// The edismax subset: `qf` names the default fields with weights (`title^3 body`), and a query the
// Lucene syntax cannot read is searched as plain words instead of failing (what edismax users expect).
import { TidesearchError } from '../../errors/index.js';
import type { Query, WeightedField } from './ast.js';
import { escapeLucene, parseLucene, type LuceneOptions } from './lucene-parser.js';

/** Parses `qf` / `df`-style field lists: `title^3 body^0.5 name`. */
export function parseFieldWeights(text: string, param = 'qf'): WeightedField[] {
  const out: WeightedField[] = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([^\^]+)(?:\^(\d+(?:\.\d+)?|\.\d+))?$/.exec(item);
    if (!m) throw new TidesearchError('QUERY_SYNTAX', `${param}: cannot read '${item}'; expected field or field^weight`, { field: param });
    out.push({ name: m[1]!, weight: m[2] === undefined ? 1 : Number(m[2]) });
  }
  return out;
}

export function parseEdismax(text: string, opts: LuceneOptions = {}): Query {
  try {
    return parseLucene(text, opts);
  } catch (e) {
    if (!(e instanceof TidesearchError) || e.code !== 'QUERY_SYNTAX') throw e;
    return parseLucene(escapeLucene(text), opts);
  }
}
