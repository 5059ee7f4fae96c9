// Folds full-width forms to half-width and traditional Chinese characters to simplified, one code unit at a
// time through a table built once per process (OpenCC's converter is ~10 MB/s; a table lookup is far faster).
import * as OpenCC from 'opencc-js/t2cn';

/**
 * Per-character folding loses OpenCC's phrase-level exceptions (乾隆 folds to 干隆); index and query text go
 * through the same table, so matching stays consistent. Every mapped character is in the BMP and maps to one
 * BMP character (checked when the table is built), so folding never changes string length.
 */
export interface ChineseFold {
  fold(text: string): string;
}

const HAN_RANGES: readonly (readonly [number, number])[] = [
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
];

function buildTable(): Uint16Array {
  const convert = OpenCC.Converter({ from: 't', to: 'cn' });
  const table = new Uint16Array(0x10000);
  // Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space.
  for (let c = 0xff01; c <= 0xff5e; c++) table[c] = c - 0xfee0;
  table[0x3000] = 0x20;
  for (const [lo, hi] of HAN_RANGES) {
    const chars: string[] = [];
    for (let c = lo; c <= hi; c++) chars.push(String.fromCharCode(c));
    // One call with newline separators: conversion stays per character but avoids 28k converter calls.
    const out = convert(chars.join('\n')).split('\n');
    if (out.length !== chars.length) throw new Error('opencc changed the separator count while building the fold table');
    for (let i = 0; i < chars.length; i++) {
      const to = out[i]!;
      if (to.length === 1 && to !== chars[i]) table[lo + i] = to.charCodeAt(0);
    }
  }
  return table;
}

// Memoised for the process: the table is immutable once built and costs ~100 ms to build.
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
