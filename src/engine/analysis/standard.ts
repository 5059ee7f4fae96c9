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
 * Fast paths with the same result: pure ASCII → runs of [a-z0-9]; no Katakana/Southeast-Asian script or emoji
 * → runs of letters, digits and marks (non-ASCII punctuation such as ’ or · therefore splits too).
 */
const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_ALNUM_RUN = /[a-z0-9]+/g;
const ASCII_SPLIT = /[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/;
const COMBINING = /\p{M}+/gu;
const SINGLE_OR_REST = /([\p{Script=Han}\p{Script=Hiragana}])|[^\p{Script=Han}\p{Script=Hiragana}]+/gu;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const NEEDS_SEGMENTER =
  /[\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Extended_Pictographic}\p{Regional_Indicator}]/u;
const LETTER_RUN = /[\p{L}\p{N}\p{M}]+/gu;

/** Lower-case and accent-fold; the result is what `appendWords` segments. */
export function foldWestern(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(COMBINING, '').normalize('NFC').toLowerCase();
}

/** In `wordCodeTable()`: a code unit that only the general rule (foldWestern, then appendWords) can place. */
export const GENERAL = 0xffff;
const WORD_LIKE = /[\p{L}\p{N}\p{M}\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

let wordCodes: Uint16Array | undefined;
/**
 * For each BMP code unit: its lower-case form if it is an ASCII letter or digit; 0 if it only ever separates
 * words; GENERAL otherwise. A code unit separates words, whatever surrounds it, when neither it nor its NFKD
 * form holds a letter, digit, mark, emoji or regional indicator, and its script needs no word segmenter: then
 * folding turns it into non-word characters only, and no composition joins it to a neighbour (compositions
 * need a mark or a Hangul jamo). Text made of ASCII and such code units therefore has as its standard tokens
 * the lower-cased runs of ASCII letters and digits. Built once per thread (~5 ms).
 */
export function wordCodeTable(): Uint16Array {
  if (wordCodes) return wordCodes;
  const table = new Uint16Array(0x10000).fill(GENERAL);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const ch = String.fromCharCode(c);
    if (c < 0x80) table[c] = /[A-Za-z0-9]/.test(ch) ? ch.toLowerCase().charCodeAt(0) : 0;
    else if (!WORD_LIKE.test(ch) && !NEEDS_SEGMENTER.test(ch) && !WORD_LIKE.test(ch.normalize('NFKD'))) table[c] = 0;
  }
  return (wordCodes = table);
}

/** Appends the standard tokens of already folded text to `out`. */
export function appendWords(folded: string, segmenter: Intl.Segmenter, out: string[]): void {
  if (!NON_ASCII.test(folded)) {
    for (const m of folded.matchAll(ASCII_ALNUM_RUN)) out.push(m[0]);
    return;
  }
  // UAX #29 always breaks around Han and Hiragana, so they are cut out first (one token per character) and
  // the rest is segmented on its own: Intl.Segmenter costs far more than a regex, so it runs only on text in
  // scripts with their own word rules (Katakana, Thai, …) or with emoji. Elsewhere UAX #29 words are the runs
  // of letters, digits and marks once ASCII punctuation splits them.
  for (const m of folded.matchAll(SINGLE_OR_REST)) {
    const part = m[0];
    if (m[1] !== undefined) out.push(part);
    else if (!NON_ASCII.test(part)) for (const w of part.matchAll(ASCII_ALNUM_RUN)) out.push(w[0]);
    else if (!NEEDS_SEGMENTER.test(part)) for (const w of part.matchAll(LETTER_RUN)) out.push(w[0]);
    else segmentWords(part, segmenter, out);
  }
}

function segmentWords(text: string, segmenter: Intl.Segmenter, out: string[]): void {
  for (const seg of segmenter.segment(text)) {
    if (seg.isWordLike || PICTOGRAPHIC.test(seg.segment)) {
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
    indexText(text: string): string {
      return this.analyze(text, 'index').join(' ');
    },
    // One query term that splits (wi-fi, 北京) must match as the adjacent sequence it came from.
    queryJoin: 'phrase',
    analyze(text: string): string[] {
      const out: string[] = [];
      appendWords(foldWestern(text), segmenter, out);
      return out;
    },
  };
}
