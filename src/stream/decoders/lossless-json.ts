// JSON parsing that never rounds a number: TiCDC writes TSOs and 64-bit column values as bare JSON
// numbers beyond 2^53, so every number token longer than 15 characters reaches us as its exact text.

/** A long number token in value position (after `:`, `[` or `,`, before `,`, `}` or `]`). */
const LONG_VALUE = /([:[,]\s*)(-?\d[\d.eE+-]{15,})(?=\s*[,}\]])/g;
/** A JSON string literal (skipped whole, so digits inside strings are never touched) or a long number token. */
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]{15,}/g;

/**
 * Parses JSON text; numbers whose token is longer than 15 characters (the most a double always keeps
 * exactly) come back as their decimal text instead of a JS number. Shorter numbers are exact as numbers.
 * Callers accept both forms (`integerFromText(String(v))`, `parseTso`).
 */
export function parseJsonLossless(text: string): unknown {
  // Fast path: quote long numbers found by a cheap pattern. If the pattern also matched inside a string
  // literal, the inserted quote ends that string right before a digit, which is never valid JSON, so
  // JSON.parse throws and the exact tokenizing path below decides. A wrong parse cannot slip through.
  const quick = text.replace(LONG_VALUE, '$1"$2"');
  try {
    return JSON.parse(quick);
  } catch (e) {
    if (quick === text) throw e; // nothing was quoted: the text itself is not JSON
  }
  return JSON.parse(text.replace(TOKEN, (tok) => (tok.charCodeAt(0) === 34 /* " */ ? tok : `"${tok}"`)));
}
