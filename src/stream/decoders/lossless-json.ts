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

/**
 * Parses JSON text natively, then restores the exact digits of the numbers under the given keys (at any
 * depth) that a JS number cannot hold: a message whose only large numbers sit under known keys (canal-json's
 * `_tidb.commitTs`) skips the full rewrite that parseJsonLossless does. The digits are read from the text
 * after `"key":`, which occurs only where the key is a real object key (a quote inside a JSON string is
 * escaped); when that is ambiguous, or a large number appears elsewhere, the whole text is parsed losslessly.
 */
export function parseJsonExactKeys(text: string, keys: readonly string[]): unknown {
  const parsed: unknown = JSON.parse(text);
  let ok = true;
  const fix = (v: unknown): void => {
    if (!ok || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (typeof x === 'number' && Number.isInteger(x) && !Number.isSafeInteger(x)) ok = false;
        else fix(x);
      }
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'number') {
        if (Number.isSafeInteger(x) || !Number.isInteger(x)) continue;
        const exact = keys.includes(k) ? digitsAfterKey(text, k, x) : undefined;
        if (exact === undefined) ok = false;
        else o[k] = exact;
      } else if (x !== null && typeof x === 'object') fix(x);
    }
  };
  fix(parsed);
  return ok ? parsed : parseJsonLossless(text);
}

/** The one integer token following `"key":` in `text` whose value rounds to `rounded`; undefined if none or several. */
function digitsAfterKey(text: string, key: string, rounded: number): string | undefined {
  let found: string | undefined;
  const needle = `"${key}"`;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
    const m = /^\s*:\s*(-?\d+)(?![\d.eE])/.exec(text.slice(at + needle.length, at + needle.length + 48));
    if (!m || Number(m[1]) !== rounded) continue;
    if (found !== undefined && found !== m[1]) return undefined;
    found = m[1];
  }
  return found;
}
