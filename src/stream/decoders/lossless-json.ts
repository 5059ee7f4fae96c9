// JSON parsing that never rounds a number: TiCDC writes TSOs and 64-bit column values as bare JSON
// numbers beyond 2^53, so every number token longer than 15 characters reaches us as its exact text.

/** A JSON string literal (skipped whole, so digits inside strings are never touched) or a long number token. */
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]{15,}/g;
const LONG_NUMBER = /\d[\d.eE+-]{15,}/;

/**
 * Parses JSON text; numbers whose token is longer than 15 characters (the most a double always keeps
 * exactly) come back as their decimal text instead of a JS number. Shorter numbers are exact as numbers.
 * Callers accept both forms (`integerFromText(String(v))`, `parseTso`).
 */
export function parseJsonLossless(text: string): unknown {
  // Fast path: nothing long enough to lose precision anywhere in the text.
  if (!LONG_NUMBER.test(text)) return JSON.parse(text);
  const quoted = text.replace(TOKEN, (tok) => (tok.charCodeAt(0) === 34 /* " */ ? tok : `"${tok}"`));
  return JSON.parse(quoted);
}
