// What opencc-js (a dev dependency) says about single Han characters, traditional → simplified: the source of
// src/engine/analysis/fold-table.ts (scripts/gen-fold-table.ts) and of the test that keeps it current.
import * as OpenCC from 'opencc-js/t2cn';

const HAN_RANGES: readonly (readonly [number, number])[] = [
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
];

/** Concatenated pairs (traditional, simplified) of BMP characters that OpenCC maps to one other character. */
export function traditionalPairs(): string {
  const convert = OpenCC.Converter({ from: 't', to: 'cn' });
  let pairs = '';
  for (const [lo, hi] of HAN_RANGES) {
    const chars: string[] = [];
    for (let c = lo; c <= hi; c++) chars.push(String.fromCharCode(c));
    // One call with newline separators: conversion stays per character but avoids 28k converter calls.
    const out = convert(chars.join('\n')).split('\n');
    if (out.length !== chars.length) throw new Error('opencc changed the separator count');
    for (let i = 0; i < chars.length; i++) {
      const to = out[i]!;
      if (to.length === 1 && to !== chars[i]) pairs += chars[i] + to;
    }
  }
  return pairs;
}
