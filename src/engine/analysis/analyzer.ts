// An analyzer turns text into the tokens that full-text search indexes and matches. The same analyzer
// decides indexing and querying for a field, so a term found at index time is found at query time.
import type { TokenName } from '../../core/schema.js';

export type AnalyzeMode = 'index' | 'query';

export interface Analyzer {
  readonly name: TokenName;
  /**
   * Tokens in text order. Every token is non-empty, contains no ASCII whitespace or ASCII punctuation,
   * and has ASCII letters lower-cased: tokens are joined with single spaces and stored in FTS5 columns
   * that use the `ascii` tokenizer, which splits on ASCII non-alphanumerics.
   */
  analyze(text: string, mode: AnalyzeMode): string[];
  /** The index-mode tokens joined by single spaces: what a full-text column stores (analyze's, joined). */
  indexText(text: string): string;
  /**
   * How several tokens produced from ONE query term must match: 'phrase' (adjacent, in order; e.g. n-grams)
   * or 'all' (each must occur; e.g. words of a segmented Chinese term).
   */
  readonly queryJoin: 'phrase' | 'all';
  /**
   * Query-mode tokens grouped by the query word they came from, for analyzers where a query word need not be
   * an index token itself: a group of several tokens must match as those tokens near each other (ik: a word
   * the dictionary lacks matches as its characters). `analyze(text, 'query')` is the flattening of the groups.
   */
  analyzeQueryGroups?(text: string): string[][];
}

export interface AnalyzerRegistry {
  get(name: TokenName): Analyzer;
  /** Moves whenever get() may hand out different analyzers (a reloaded dictionary); absent, it never does. */
  readonly version?: number;
}

