// Highlighting for contentless FTS (which has no highlight()): finds the query's analysed terms again
// in the stored text. ASCII terms match whole words (prefixes at a word start); other terms (CJK words,
// n-grams) match as substrings, which is how they were segmented out of the text in the first place.
import type { Query } from '../query/ast.js';

export interface Needles {
  /** Every query token, for matching words re-analysed in index mode (pinyin, accent-folded words). */
  readonly tokens: ReadonlySet<string>;
  readonly words: ReadonlySet<string>;
  readonly prefixes: readonly string[];
  readonly substrings: readonly string[];
}

export interface SnippetOptions {
  readonly pre: string;
  readonly post: string;
  /** 0 = whole text. */
  readonly fragsize: number;
}

/** Positive leaves of the query (those not under a prohibited clause), for highlighting. */
export function positiveLeaves(q: Query): Query[] {
  if (q.kind === 'bool') return q.clauses.filter((c) => c.occur !== 'mustNot').flatMap((c) => positiveLeaves(c.query));
  return [q];
}

const ASCII_WORD = /^[a-z0-9]+$/;

export function needlesOf(tokens: readonly string[], prefixes: readonly string[]): Needles {
  const words = new Set<string>();
  const substrings: string[] = [];
  for (const t of tokens) {
    if (ASCII_WORD.test(t)) words.add(t);
    else substrings.push(t);
  }
  return { tokens: new Set(tokens), words, prefixes: prefixes.filter((p) => ASCII_WORD.test(p)), substrings };
}

const SEGMENTER = new Intl.Segmenter('zh', { granularity: 'word' });

/**
 * One snippet with the matches wrapped in pre/post, or null when nothing matches. With `analyze` (the
 * field's analyzer in index mode), a word whose own tokens meet the query's is marked too: this finds
 * `北京` for the pinyin query `beijing` and `Café` for `cafe`.
 */
export function highlight(text: string, needles: Needles, opts: SnippetOptions, analyze?: (word: string) => readonly string[]): string | null {
  const lowered = text.toLowerCase();
  const hay = lowered.length === text.length ? lowered : text;
  const ranges: [number, number][] = [];
  for (const m of hay.matchAll(/[a-z0-9]+/g)) {
    const w = m[0];
    if (needles.words.has(w) || needles.prefixes.some((p) => w.startsWith(p))) ranges.push([m.index, m.index + w.length]);
  }
  for (const s of needles.substrings) {
    for (let i = hay.indexOf(s); i >= 0; i = hay.indexOf(s, i + s.length)) ranges.push([i, i + s.length]);
  }
  if (analyze && needles.tokens.size > 0) {
    for (const seg of SEGMENTER.segment(text)) {
      if (seg.isWordLike && analyze(seg.segment).some((t) => needles.tokens.has(t))) ranges.push([seg.index, seg.index + seg.segment.length]);
    }
  }
  if (ranges.length === 0) return null;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  let from = 0;
  let to = text.length;
  if (opts.fragsize > 0 && text.length > opts.fragsize) {
    const first = merged[0]![0];
    from = Math.max(0, Math.min(first - Math.floor(opts.fragsize / 4), text.length - opts.fragsize));
    to = Math.min(text.length, from + opts.fragsize);
  }
  let out = '';
  let at = from;
  for (const [s, e] of merged) {
    if (e <= from || s >= to) continue;
    const ss = Math.max(s, from);
    const ee = Math.max(e, ss);
    out += text.slice(at, ss) + opts.pre + text.slice(ss, ee) + opts.post;
    at = ee;
  }
  return out + text.slice(at, Math.max(at, to));
}
