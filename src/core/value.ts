// Field kinds and the canonical values that flow between source, stream, pipeline and engine.
// Every producer (the MySQL dump, each TiCDC decoder) converts its raw form into these, once.

/** How a column is stored, filtered and returned. Decided from the MySQL column type. */
export type FieldKind =
  | 'integer' // TINYINT..BIGINT, YEAR, BIT: number when safe, bigint beyond 2^53
  | 'float' // FLOAT, DOUBLE
  | 'decimal' // DECIMAL/NUMERIC: exact decimal string, never a JS number
  | 'datetime' // DATE, DATETIME, TIMESTAMP: ISO-8601 UTC string `YYYY-MM-DDTHH:mm:ss[.ffffff]Z`
  | 'time' // TIME: `[-]HH:mm:ss[.ffffff]`
  | 'string' // CHAR, VARCHAR, TEXT, ENUM, SET, JSON
  | 'binary'; // BINARY, VARBINARY, BLOB: base64 string

/** A canonical field value. */
export type IndexValue = null | string | number | bigint;

/** One row (or change image) keyed by column name, values canonical for their field kind. */
export type RowImage = Readonly<Record<string, IndexValue>>;

const SAFE_DIGITS = /^-?\d{1,15}$/;

/** Integer text → number when exactly representable, bigint otherwise. */
export function integerFromText(text: string): number | bigint {
  if (SAFE_DIGITS.test(text)) return Number(text);
  const big = BigInt(text);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Normalises a DECIMAL text: keeps every digit, drops a leading '+'. */
export function decimalFromText(text: string): string {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
  return t.startsWith('+') ? t.slice(1) : t;
}

/**
 * A MySQL DATE/DATETIME/TIMESTAMP text (`YYYY-MM-DD[ HH:mm:ss[.ffffff]]`) in the given UTC offset
 * (minutes east of UTC) → ISO-8601 UTC. Zero dates (`0000-00-00`) become null.
 */
export function datetimeFromText(text: string, offsetMinutes = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?)?/.exec(text.trim());
  if (!m) throw new TypeError(`not a date/time: ${JSON.stringify(text)}`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = m;
  if (y === '0000' || mo === '00' || d === '00') return null;
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const t = new Date(0);
  t.setUTCFullYear(+y!, +mo! - 1, +d!);
  t.setUTCHours(+h, +mi - offsetMinutes, +s, 0);
  const year = t.getUTCFullYear();
  const iso = `${String(year).padStart(4, '0')}${t.toISOString().slice(t.toISOString().indexOf('-', 1), 19)}`;
  return `${iso}${frac}Z`;
}

/** Parses a UTC offset such as `+08:00`, `-05:30`, `Z` or `UTC` into minutes east of UTC. */
export function parseUtcOffset(tz: string): number {
  if (tz === 'Z' || tz.toUpperCase() === 'UTC' || tz === 'SYSTEM') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(tz);
  if (!m) throw new TypeError(`time zone must be an offset like +08:00, got ${JSON.stringify(tz)}`);
  const minutes = +m[2]! * 60 + +m[3]!;
  return m[1] === '-' ? -minutes : minutes;
}

/** Converts the text form of a value (as MySQL or canal-json prints it) into its canonical value. */
export function valueFromText(kind: FieldKind, text: string | null, offsetMinutes = 0): IndexValue {
  if (text === null) return null;
  switch (kind) {
    case 'integer':
      return integerFromText(text);
    case 'float':
      return Number(text);
    case 'decimal':
      return decimalFromText(text);
    case 'datetime':
      return datetimeFromText(text, offsetMinutes);
    case 'time':
    case 'string':
      return text;
    case 'binary':
      return Buffer.from(text, 'latin1').toString('base64');
  }
}
