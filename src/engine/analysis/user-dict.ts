// Reads the per-server `ik` dictionary files: extra words for jieba and stop words for every ik token.
import { readFileSync } from 'node:fs';
import { TidesearchError } from '../../errors/index.js';
import type { ChineseFold } from './chinese-fold.js';

/**
 * File formats (UTF-8; blank lines and lines starting with `#` are ignored):
 * - user dictionary: one word per line, `word [frequency] [tag]`, fields separated by spaces or tabs, as in
 *   jieba's own dict.txt. Without a frequency the word gets DEFAULT_WORD_FREQUENCY (about a common word's), so
 *   it is kept whole by query-mode segmentation. Only Han characters are segmented by jieba; a word containing
 *   anything else is skipped. Traditional and full-width forms are folded, so either spelling may be listed.
 * - stop words: one word per line. A token equal to a (folded, lower-cased) stop word is dropped from index
 *   and query output alike, Chinese words and Latin words (e.g. `the`) alike.
 */
export const DEFAULT_WORD_FREQUENCY = 20_000;

export interface UserDictFiles {
  readonly userDictPath?: string | undefined;
  readonly stopWordsPath?: string | undefined;
}

export interface UserDict {
  /** jieba dict lines ("word freq [tag]\n"), ready for Jieba.loadDict; '' if none. */
  readonly jiebaLines: string;
  readonly stopWords: ReadonlySet<string>;
  /** The raw file contents, to tell whether a reload changed anything. */
  readonly fingerprint: string;
}

const HAN_ONLY = /^\p{Script=Han}+$/u;

function readText(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new TidesearchError('BAD_REQUEST', `cannot read the ik ${field} file ${path}: ${(e as Error).message}; fix the path or remove the setting`, { field, cause: e });
  }
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function readUserDict(files: UserDictFiles, fold: ChineseFold, lower: (s: string) => string): UserDict {
  const dictText = files.userDictPath ? readText(files.userDictPath, 'userDictPath') : '';
  const stopText = files.stopWordsPath ? readText(files.stopWordsPath, 'stopWordsPath') : '';
  const jieba: string[] = [];
  for (const line of lines(dictText)) {
    const [word = '', freq, tag] = line.split(/[ \t]+/);
    const folded = fold.fold(word);
    if (!HAN_ONLY.test(folded)) continue;
    const f = freq !== undefined && /^\d+$/.test(freq) ? freq : String(DEFAULT_WORD_FREQUENCY);
    jieba.push(tag ? `${folded} ${f} ${tag}` : `${folded} ${f}`);
  }
  const stopWords = new Set(lines(stopText).map((w) => lower(fold.fold(w))));
  return { jiebaLines: jieba.length ? jieba.join('\n') + '\n' : '', stopWords, fingerprint: `${dictText}\u0000${stopText}` };
}
