// `ik`: Chinese word segmentation with jieba, in IK's two modes: every overlapping word for the index
// (ik_max_word), the coarsest split for queries (ik_smart). Other text is tokenized like `standard`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import type { Analyzer, AnalyzeMode } from './analyzer.js';
import type { ChineseFold } from './chinese-fold.js';
import { appendWords, foldWestern, wordSegmenter } from './standard.js';
import type { UserDict } from './user-dict.js';
import { dictionaryWords, type DictionaryWords } from './dictionary-words.js';

/**
 * Text is first folded (full-width → half-width, traditional → simplified), then cut into Han runs and the rest.
 * Han runs:
 * - index: every dictionary word found anywhere in the run (overlapping), as jieba's cutAll gives them, and
 *   every single character (dictionary-words.ts: a lookup over jieba's dictionary, ~2× cheaper than the call).
 * - query: the run itself if it is a dictionary word; otherwise jieba's cut with HMM (coarsest split).
 * Matching (queryJoin 'all'): a query's dictionary words and single characters are always among the index
 * tokens of any text containing the query, because cutAll emits every dictionary word and character of the
 * run. An unknown word found by HMM in the query (a name such as 王小丫) is not an index token: it matches as
 * its characters near each other (`analyzeQueryGroups`), which the index always holds where the text contains
 * the word. Adding it to the user dictionary makes it one token. Token positions are not word positions
 * (overlaps), so phrase matching on ik fields is approximate (NEAR).
 */
const RUNS = /(\p{Script=Han}+)|[^\p{Script=Han}]+/gu;

export interface IkAnalyzer extends Analyzer {
  readonly name: 'ik';
}

const jiebaDictFile = (): string => createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');

/** Builds jieba with the bundled dictionary plus the user words (~170 ms and ~60 MiB per thread). */
function createJieba(userDict: UserDict): Jieba {
  // Read here rather than through '@node-rs/jieba/dict.js', which keeps dict.txt and idf.txt (11 MiB) in memory
  // for the life of every thread that loads it.
  const jieba = Jieba.withDict(readFileSync(jiebaDictFile()));
  if (userDict.jiebaLines !== '') jieba.loadDict(Buffer.from(userDict.jiebaLines, 'utf8'));
  return jieba;
}

/**
 * jieba (query mode) and the dictionary lookup (index mode) are each loaded on first use: an analysis worker
 * only indexes and never loads jieba's model; a server that only queries never builds the lookup.
 */
export function createIkAnalyzer(fold: ChineseFold, userDict: UserDict): IkAnalyzer {
  const segmenter = wordSegmenter();
  const stop = userDict.stopWords;
  let jiebaModel: Jieba | undefined;
  const jieba = (): Jieba => (jiebaModel ??= createJieba(userDict));
  let lookup: DictionaryWords | undefined;
  const words = (): DictionaryWords => (lookup ??= dictionaryWords(readFileSync(jiebaDictFile(), 'utf8'), userDict.jiebaLines));

  function indexHan(run: string, out: string[]): void {
    if (!words().appendAll(run, out)) for (const w of jieba().cutAll(run)) out.push(w);
  }

  const isWord = (w: string): boolean => w.length === 1 || jieba().cutAll(w).includes(w);

  /** Query words of a Han run; a word the dictionary lacks (found by HMM) becomes a group of its characters. */
  function queryHan(run: string, out: string[][]): void {
    if (run.length > 1 && isWord(run)) out.push([run]);
    else for (const w of jieba().cut(run, true)) out.push(isWord(w) ? [w] : [...w]);
  }

  function queryGroups(text: string): string[][] {
    const out: string[][] = [];
    for (const m of fold.fold(text).matchAll(RUNS)) {
      if (m[1] !== undefined) queryHan(m[1], out);
      else {
        const words: string[] = [];
        appendWords(foldWestern(m[0]), segmenter, words);
        for (const w of words) out.push([w]);
      }
    }
    return stop.size === 0 ? out : out.map((g) => g.filter((t) => !stop.has(t))).filter((g) => g.length > 0);
  }

  function indexTokens(text: string): string[] {
    const out: string[] = [];
    for (const m of fold.fold(text).matchAll(RUNS)) {
      if (m[1] !== undefined) indexHan(m[1], out);
      else appendWords(foldWestern(m[0]), segmenter, out);
    }
    return stop.size === 0 ? out : out.filter((t) => !stop.has(t));
  }

  return {
    name: 'ik',
    queryJoin: 'all',
    analyze(text: string, mode: AnalyzeMode): string[] {
      return mode === 'index' ? indexTokens(text) : queryGroups(text).flat();
    },
    analyzeQueryGroups: queryGroups,
  };
}
