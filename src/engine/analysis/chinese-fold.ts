// Folds full-width forms to half-width and traditional Chinese characters to simplified, one code unit at a
// time through a table built once per process from fold-table.ts (OpenCC's per-character conversion,
// generated ahead of time: a table lookup is far faster than OpenCC, and its dictionaries stay out of memory).
import { TRADITIONAL_PAIRS } from './fold-table.js';

/**
 * Per-character folding loses OpenCC's phrase-level exceptions (乾隆 folds to 干隆); index and query text go
 * through the same table, so matching stays consistent. Every mapped character is in the BMP and maps to one
 * BMP character, so folding never changes string length.
 */
export interface ChineseFold {
  fold(text: string): string;
}

function buildTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  // Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space.
  for (let c = 0xff01; c <= 0xff5e; c++) table[c] = c - 0xfee0;
  table[0x3000] = 0x20;
  for (let i = 0; i < TRADITIONAL_PAIRS.length; i += 2) table[TRADITIONAL_PAIRS.charCodeAt(i)] = TRADITIONAL_PAIRS.charCodeAt(i + 1);
  return table;
}

// Memoised for the process: the table is immutable once built.
let shared: Uint16Array | undefined;

export function chineseFold(): ChineseFold {
  const table = (shared ??= buildTable());
  return {
    fold(text: string): string {
      const n = text.length;
      let i = 0;
      while (i < n && table[text.charCodeAt(i)] === 0) i++;
      if (i === n) return text;
      const out: number[] = new Array(n);
      for (let j = 0; j < n; j++) {
        const c = text.charCodeAt(j);
        const m = table[c]!;
        out[j] = m === 0 ? c : m;
      }
      // fromCharCode.apply has an argument-count limit; chunk long texts.
      let s = '';
      for (let k = 0; k < n; k += 8192) s += String.fromCharCode.apply(null, out.slice(k, k + 8192));
      return s;
    },
  };
}
