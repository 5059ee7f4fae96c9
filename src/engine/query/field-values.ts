// Turns query text into typed SQL parameters for exact (B-tree) fields, by FieldKind: integers stay exact
// (bigint beyond 2^53), decimals compare through their REAL column, dates as canonical ISO-8601 UTC text.
import type { FieldKind } from '../../core/value.js';
import { integerFromText } from '../../core/value.js';

export type SqlParam = string | number | bigint;

/** The parameter for comparing a field of `kind` with `text`, or undefined when text is not of that kind. */
export function paramFor(kind: FieldKind, text: string, now: () => Date = () => new Date()): SqlParam | undefined {
  const t = text.trim();
  switch (kind) {
    case 'integer':
      return /^[+-]?\d+$/.test(t) ? integerFromText(t.replace(/^\+/, '')) : undefined;
    case 'float':
    case 'decimal': {
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
      return Number(t);
    }
    case 'datetime':
      return dateParam(t, now);
    default:
      return text;
  }
}

// Solr date syntax subset: full ISO instants, bare dates, `NOW`; stored values are `YYYY-MM-DDTHH:mm:ss[.f]Z`.
function dateParam(t: string, now: () => Date): string | undefined {
  if (t === 'NOW') return now().toISOString().replace('.000Z', 'Z');
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?Z?)?$/.exec(t);
  if (!m) return undefined;
  const time = m[2] === undefined ? '00:00:00' : m[2].length === 5 ? `${m[2]}:00` : m[2];
  const frac = m[3] && !/^\.0+$/.test(m[3]) ? m[3] : '';
  return `${m[1]}T${time}${frac}Z`;
}

/** A human name for the kind, for error messages. */
export function kindLabel(kind: FieldKind): string {
  return kind === 'datetime' ? 'date (e.g. 2020-01-31T00:00:00Z)' : kind === 'integer' ? 'integer' : kind === 'float' || kind === 'decimal' ? 'number' : kind;
}
