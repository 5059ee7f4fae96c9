// The document id: the key column's value as text; composite keys join their parts with a separator
// that cannot appear in integer or date keys and is escaped in text keys.
import type { IndexValue, RowImage } from './value.js';

export type DocKey = string;

const SEP = '\u001f';

function part(v: IndexValue | undefined): string {
  if (v === null || v === undefined) throw new TypeError('key column is NULL or missing');
  return String(v);
}

export function docKeyOf(key: readonly string[], row: RowImage): DocKey {
  if (key.length === 1) return part(row[key[0]!]);
  return key.map((k) => part(row[k]).replaceAll(SEP, `\\${SEP}`)).join(SEP);
}
