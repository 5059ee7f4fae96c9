// `text_ws`: whitespace splitting with the least processing the FTS5 `ascii` tokenizer allows.
import type { Analyzer } from './analyzer.js';

/**
 * Splits on Unicode whitespace; ASCII letters are lower-cased (non-ASCII case is kept); ASCII punctuation
 * inside a whitespace token also splits it ("e-mail" → "e" "mail"), since the stored column is split there by
 * the `ascii` tokenizer anyway. A query term that splits this way matches as a phrase, so "e-mail" still
 * finds exactly the text "e-mail" (and "e mail").
 */
const SPLIT = /[\s\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/u;
const ASCII_UPPER = /[A-Z]+/g;

export function createTextWsAnalyzer(): Analyzer {
  return {
    name: 'text_ws',
    indexText(text: string): string {
      return this.analyze(text, 'index').join(' ');
    },
    queryJoin: 'phrase',
    analyze(text: string): string[] {
      const lowered = text.replace(ASCII_UPPER, (m) => m.toLowerCase());
      return lowered.split(SPLIT).filter((t) => t !== '');
    },
  };
}
