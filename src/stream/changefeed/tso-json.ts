// JSON with TSO fields: TiCDC writes `*_ts` as bare uint64 numbers (beyond 2^53), so they are carried as text
// through parse and stringify and never pass through a JS number.

const TS_NUMBER = /("[A-Za-z_]*_ts"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g;
const TS_STRING = /("[A-Za-z_]*_ts"\s*:\s*)"(\d+)"/g;

/** Parses JSON, turning every number under a key ending in `_ts` into its decimal string. */
export function parseTsoJson(text: string): unknown {
  return JSON.parse(text.replace(TS_NUMBER, '$1"$2"'));
}

/** Stringifies, writing decimal-string (or bigint) values under keys ending in `_ts` as bare JSON numbers. */
export function stringifyTsoJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return json.replace(TS_STRING, '$1$2');
}
