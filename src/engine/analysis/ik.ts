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
 *   character) and the unknown words jieba's HMM finds (names such as 王小丫), kept whole.
 * - query: the run itself if it is a dictionary word; otherwise jieba's cut with HMM (coarsest split).
 * Matching (queryJoin 'all'): a query's dictionary words and single characters are always among the index
 * tokens of any text containing the query, because cutAll emits every dictionary word and character of the
 * run. An unknown word found by HMM in the query is found only where HMM groups the text the same way; adding
 * it to the user dictionary makes it a dictionary word. Token positions are not word positions (overlaps), so
 * phrase matching on ik fields is approximate.
 */
const RUNS = /(\p{Script=Han}+)|[^\p{Script=Han}]+/gu;

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
    let known: Set<string> | undefined;
    for (const w of jieba.cut(run, true)) {
      if (w.length < 2) continue;
      known ??= new Set(all);
      if (!known.has(w)) out.push(w);
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
