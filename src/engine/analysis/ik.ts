// `ik`: Chinese word segmentation with jieba, in IK's two modes: every overlapping word for the index
// (ik_max_word), the coarsest split for queries (ik_smart). Other text is tokenized like `standard`.
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { Analyzer, AnalyzeMode } from './analyzer.js';
import type { ChineseFold } from './chinese-fold.js';
import { appendWords, foldWestern, wordSegmenter } from './standard.js';
import type { UserDict } from './user-dict.js';

/**
 * Text is first folded (full-width → half-width, traditional → simplified), then cut into Han runs and the rest.
 * Han runs:
 * - index: jieba's cutAll (every dictionary word found anywhere in the run, overlapping, plus every single
 *   character), and every 2–4 character substring of each run of single characters in jieba's best route
 *   (where unknown words such as the name 张伟 sit: this covers what HMM could group there, in any grouping).
 * - query: the run itself if it is a dictionary word; otherwise jieba's cut with HMM (coarsest split).
 * Matching (queryJoin 'all'): a query's dictionary words and single characters are always among the index
 * tokens of any text containing the query, because cutAll emits every dictionary word and character of the
 * run. An unknown word found by HMM in the query (2–4 characters) is found where the text's best route leaves
 * its characters single (≈98% of generated "surname + given name" queries in context); adding it to the user
 * dictionary makes it a dictionary word, which is always found. Token positions are not word positions (overlaps), so
 * phrase matching on ik fields is approximate.
 */
const RUNS = /(\p{Script=Han}+)|[^\p{Script=Han}]+/gu;
const MAX_UNKNOWN_WORD = 4;

export interface IkAnalyzer extends Analyzer {
  readonly name: 'ik';
}

/** Builds jieba with the bundled dictionary plus the user words (~170 ms: done once per registry). */
export function createJieba(userDict: UserDict): Jieba {
  const jieba = Jieba.withDict(dict);
  if (userDict.jiebaLines !== '') jieba.loadDict(Buffer.from(userDict.jiebaLines, 'utf8'));
  return jieba;
}

export function createIkAnalyzer(jieba: Jieba, fold: ChineseFold, userDict: UserDict): IkAnalyzer {
  const segmenter = wordSegmenter();
  const stop = userDict.stopWords;

  function indexHan(run: string, out: string[]): void {
    const all = jieba.cutAll(run);
    for (const w of all) out.push(w);
    if (run.length < 2) return;
    // Runs of single characters in jieba's best (no-HMM) route are where unknown words such as names hide:
    // index their 2..4-character substrings so an HMM-found query word is found there.
    let known: Set<string> | undefined;
    let runStart = -1;
    let at = 0;
    const route = jieba.cut(run, false);
    for (let i = 0; i <= route.length; i++) {
      const w = route[i];
      if (w !== undefined && w.length === 1) {
        if (runStart < 0) runStart = at;
      } else if (runStart >= 0) {
        for (let s = runStart; s < at - 1; s++) {
          for (let n = 2; n <= MAX_UNKNOWN_WORD && s + n <= at; n++) {
            const g = run.slice(s, s + n);
            known ??= new Set(all);
            if (!known.has(g)) out.push(g);
          }
        }
        runStart = -1;
      }
      if (w !== undefined) at += w.length;
    }
  }

  function queryHan(run: string, out: string[]): void {
    if (run.length > 1 && jieba.cutAll(run).includes(run)) out.push(run);
    else for (const w of jieba.cut(run, true)) out.push(w);
  }

  return {
    name: 'ik',
    queryJoin: 'all',
    analyze(text: string, mode: AnalyzeMode): string[] {
      const out: string[] = [];
      const han = mode === 'index' ? indexHan : queryHan;
      for (const m of fold.fold(text).matchAll(RUNS)) {
        if (m[1] !== undefined) han(m[1], out);
        else appendWords(foldWestern(m[0]), segmenter, out);
      }
      return stop.size === 0 ? out : out.filter((t) => !stop.has(t));
    },
  };
}
