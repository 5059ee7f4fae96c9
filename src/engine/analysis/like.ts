// `like`: substring search with SQL `LIKE '%x%'` semantics through character unigrams and bigrams.
import type { Analyzer } from './analyzer.js';
import { foldWestern } from './standard.js';

/**
 * Scheme (all scripts alike, so Latin, CJK, digits and punctuation behave the same):
 * - The text is folded: full-width → half-width, accents removed, lower-cased (like MySQL's `_ci` collations).
 *   Traditional characters are NOT folded: LIKE is literal.
 * - Every character is one "char" (code point). ASCII characters that are not [a-z0-9] (space, punctuation,
 *   control) cannot appear in a token under the FTS5 `ascii` tokenizer, so each is written as a private-use
 *   code point U+E000+code: `LIKE '%new york%'` and `'%a-b%'` then work, space and punctuation included.
 * - Index tokens: the bigrams of the text in order (c0c1 c1c2 …), then every unigram (c0 c1 …). The bigram
 *   section is contiguous, so a phrase of bigrams matches exactly where the query string occurs.
 * - Query tokens: one char → [that unigram]; two or more → its bigrams, matched as a phrase (queryJoin).
 *   Queries of any length ≥ 1 therefore match exactly the texts that contain them (after folding).
 * Cost: two tokens per character, so a `like` field indexes several times larger than an `ik` field.
 */
const ESCAPE_BASE = 0xe000;

function chars(text: string): string[] {
  const folded = foldWestern(text);
  const out: string[] = [];
  for (const ch of folded) {
    const c = ch.charCodeAt(0);
    if (c < 0x80 && !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a))) out.push(String.fromCharCode(ESCAPE_BASE + c));
    else out.push(ch);
  }
  return out;
}

export function createLikeAnalyzer(): Analyzer {
  return {
    name: 'like',
    indexText(text: string): string {
      return this.analyze(text, 'index').join(' ');
    },
    queryJoin: 'phrase',
    analyze(text: string, mode): string[] {
      const cs = chars(text);
      if (cs.length === 0) return [];
      if (mode === 'query' && cs.length === 1) return cs;
      const out: string[] = [];
      for (let i = 0; i + 1 < cs.length; i++) out.push(cs[i]! + cs[i + 1]!);
      if (mode === 'index') for (const c of cs) out.push(c);
      return out;
    },
  };
}
