// `ik`: Chinese word segmentation with jieba, in IK's two modes: every overlapping word for the index
// (ik_max_word), the coarsest split for queries (ik_smart). Other text is tokenized like `standard`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import type { Analyzer, AnalyzeMode } from './analyzer.js';
import type { ChineseFold } from './chinese-fold.js';
import { appendWords, foldWestern, GENERAL, wordCodeTable, wordSegmenter } from './standard.js';
import type { UserDict } from './user-dict.js';
import { dictionaryWords, type DictionaryWords } from './dictionary-words.js';
import { TokenText } from './token-text.js';

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
const SURROGATE = /[\ud800-\udfff]/;
/** Query texts whose analysis is remembered (queryGroups), and the longest remembered. */
const MEMO_TEXTS = 4096;
const MEMO_TEXT_CHARS = 64;
const HAN = /\p{Script=Han}/u;

/** 1 for each BMP code unit in the Han script (the RUNS split, as a table: no regex or match object per run). */
let hanTable: Uint8Array | undefined;
function isHanTable(): Uint8Array {
  if (hanTable) return hanTable;
  hanTable = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) if ((c < 0xd800 || c > 0xdfff) && HAN.test(String.fromCharCode(c))) hanTable[c] = 1;
  return hanTable;
}

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

  const isWord = (w: string): boolean => w.length === 1 || jieba().cutAll(w).includes(w);

  /** Query words of a Han run; a word the dictionary lacks (found by HMM) becomes a group of its characters. */
  function queryHan(run: string, out: string[][]): void {
    if (run.length > 1 && isWord(run)) out.push([run]);
    else for (const w of jieba().cut(run, true)) out.push(isWord(w) ? [w] : [...w]);
  }

  // Query texts repeat (a handful of searches make most of the traffic), and their analysis is a pure function of
  // the text and this analyzer's dictionary: a short text's groups are kept, in a bounded LRU. A repeated rare
  // term skips fold, the run split and jieba (~2-10 us warm; several times that when the query runs on cold
  // caches after a write).
  const memo = new Map<string, readonly (readonly string[])[]>();
  function queryGroups(text: string): string[][] {
    if (text.length > MEMO_TEXT_CHARS) return analyseQuery(text);
    let groups = memo.get(text);
    if (groups === undefined) {
      groups = analyseQuery(text);
      if (memo.size >= MEMO_TEXTS) memo.delete(memo.keys().next().value as string);
    } else memo.delete(text);
    memo.set(text, groups);
    return groups.map((g) => [...g]);
  }

  function analyseQuery(text: string): string[][] {
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

  const out = new TokenText();
  const western: string[] = [];

  /** Writes the standard tokens of a run of non-Han text. */
  function writeWestern(s: string, from: number, to: number): void {
    const codes = wordCodeTable();
    let plain = true;
    for (let i = from; i < to && plain; i++) plain = codes[s.charCodeAt(i)] !== GENERAL;
    if (!plain) {
      western.length = 0;
      appendWords(foldWestern(s.slice(from, to)), segmenter, western);
      for (const w of western) out.word(w);
      return;
    }
    // ASCII and code units that only separate words (Chinese punctuation, …): runs of letters and digits,
    // lower-cased, as appendWords(foldWestern(...)) gives them (standard.ts wordCodeTable).
    for (let i = from; i < to; ) {
      if (codes[s.charCodeAt(i)] === 0) {
        i++;
        continue;
      }
      let end = i + 1;
      while (end < to && codes[s.charCodeAt(end)] !== 0) end++;
      out.begin(end - i);
      for (; i < end; i++) out.put(codes[s.charCodeAt(i)]!);
    }
  }

  /** Index tokens joined by ' ', written without a string per token (~1.5x faster than tokens, then join). */
  function indexText(input: string): string {
    out.reset();
    const s = fold.fold(input);
    if (SURROGATE.test(s)) {
      // Characters outside the BMP (emoji, rare Han): the general split; Han runs with them go to jieba.
      for (const m of s.matchAll(RUNS)) {
        if (m[1] === undefined) writeWestern(m[0], 0, m[0].length);
        else if (SURROGATE.test(m[1])) for (const w of jieba().cutAll(m[1])) out.word(w);
        else words().writeAll(m[1], 0, m[1].length, out);
      }
    } else {
      const han = isHanTable();
      const dict = words();
      const n = s.length;
      for (let i = 0; i < n; ) {
        const inHan = han[s.charCodeAt(i)]!;
        let j = i + 1;
        while (j < n && han[s.charCodeAt(j)] === inHan) j++;
        if (inHan === 1) dict.writeAll(s, i, j, out);
        else writeWestern(s, i, j);
        i = j;
      }
    }
    const joined = out.toString();
    return stop.size === 0 || joined === '' ? joined : joined.split(' ').filter((t) => !stop.has(t)).join(' ');
  }

  return {
    name: 'ik',
    queryJoin: 'all',
    analyze(text: string, mode: AnalyzeMode): string[] {
      if (mode === 'query') return queryGroups(text).flat();
      const joined = indexText(text);
      return joined === '' ? [] : joined.split(' ');
    },
    indexText,
    analyzeQueryGroups: queryGroups,
  };
}
