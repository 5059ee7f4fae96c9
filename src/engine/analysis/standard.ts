// `standard`: Unicode word boundaries (UAX #29 via Intl.Segmenter), lower-casing and accent folding; Han and
// Hiragana come out one character per token, as Lucene's StandardTokenizer emits them.
import type { Analyzer } from './analyzer.js';

/**
 * Rules, in order:
 * - NFKD, combining marks removed, NFC again (so Hangul recomposes): "Crème" → "creme", "ＡＢＣ" → "abc".
 * - Lower-case.
 * - Word-like segments are kept; inside them, ASCII punctuation splits ("don't" → "don" "t", "3.14" → "3" "14"),
 *   because the FTS5 `ascii` tokenizer would split there anyway and query terms must split the same way.
 * - Emoji (Extended_Pictographic) segments are kept as tokens (Lucene does the same); other punctuation is dropped.
 * Pure-ASCII text takes a fast path with the same result: runs of [a-z0-9].
 */
const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_ALNUM_RUN = /[a-z0-9]+/g;
const ASCII_SPLIT = /[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/;
const COMBINING = /\p{M}+/gu;
const SINGLE_CHAR_SCRIPTS = /[\p{Script=Han}\p{Script=Hiragana}]/u;
const SINGLE_CHAR_SPLIT = /([\p{Script=Han}\p{Script=Hiragana}])/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

/** Lower-case and accent-fold; the result is what `appendWords` segments. */
export function foldWestern(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(COMBINING, '').normalize('NFC').toLowerCase();
}

/** Appends the standard tokens of already folded text to `out`. */
export function appendWords(folded: string, segmenter: Intl.Segmenter, out: string[]): void {
  if (!NON_ASCII.test(folded)) {
    for (const m of folded.matchAll(ASCII_ALNUM_RUN)) out.push(m[0]);
    return;
  }
  for (const seg of segmenter.segment(folded)) {
    if (seg.isWordLike) {
      for (const piece of seg.segment.split(ASCII_SPLIT)) {
        if (piece === '') continue;
        if (!SINGLE_CHAR_SCRIPTS.test(piece)) {
          out.push(piece);
          continue;
        }
        for (const part of piece.split(SINGLE_CHAR_SPLIT)) if (part !== '') out.push(part);
      }
    } else if (PICTOGRAPHIC.test(seg.segment)) {
      for (const piece of seg.segment.split(ASCII_SPLIT)) if (piece !== '') out.push(piece);
    }
  }
}

export function wordSegmenter(): Intl.Segmenter {
  return new Intl.Segmenter('und', { granularity: 'word' });
}

export function createStandardAnalyzer(): Analyzer {
  const segmenter = wordSegmenter();
  return {
    name: 'standard',
    // One query term that splits (wi-fi, 北京) must match as the adjacent sequence it came from.
    queryJoin: 'phrase',
    analyze(text: string): string[] {
      const out: string[] = [];
      appendWords(foldWestern(text), segmenter, out);
      return out;
    },
  };
}
