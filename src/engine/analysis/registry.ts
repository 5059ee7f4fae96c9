// Builds the six analyzers for one server and re-reads the ik dictionary files on demand (per build).
import type { TokenName } from '../../core/schema.js';
import type { Analyzer, AnalyzerRegistry } from './analyzer.js';
import { chineseFold } from './chinese-fold.js';
import { createStringAnalyzer } from './exact-string.js';
import { createIkAnalyzer } from './ik.js';
import { createLikeAnalyzer } from './like.js';
import { createPinyinAnalyzer } from './pinyin.js';
import { createStandardAnalyzer, foldWestern } from './standard.js';
import { createTextWsAnalyzer } from './text-ws.js';
import { readUserDict, type UserDict, type UserDictFiles } from './user-dict.js';

export type AnalyzerOptions = UserDictFiles;

export interface ReloadableAnalyzerRegistry extends AnalyzerRegistry {
  /**
   * Re-reads the dictionary files; when they changed, later `get('ik')` calls return an analyzer built from
   * the new contents (analyzers already handed out keep the old dictionary). Returns whether anything changed.
   */
  reload(): boolean;
}

/**
 * Create one registry per server (jieba's model takes ~170 ms and ~60 MiB to load) and call `reload()`
 * when a build starts, so dictionary edits apply to the next build without a restart.
 */
export function createAnalyzers(options: AnalyzerOptions = {}): ReloadableAnalyzerRegistry {
  const fold = chineseFold();
  const fixed = {
    like: createLikeAnalyzer(),
    pinyin: createPinyinAnalyzer(fold),
    string: createStringAnalyzer(),
    text_ws: createTextWsAnalyzer(),
    standard: createStandardAnalyzer(),
  } as const satisfies Record<Exclude<TokenName, 'ik'>, Analyzer>;

  const build = (userDict: UserDict): Analyzer => createIkAnalyzer(fold, userDict);
  let userDict = readUserDict(options, fold, foldWestern);
  // The ik analyzer loads jieba (query mode) and its dictionary lookup (index mode) on first use, so a thread
  // pays only for what it does.
  let ik: Analyzer | undefined;
  let version = 0;

  return {
    get version(): number {
      return version;
    },
    get(name: TokenName): Analyzer {
      if (name !== 'ik') return fixed[name];
      ik ??= build(userDict);
      return ik;
    },
    reload(): boolean {
      const next = readUserDict(options, fold, foldWestern);
      if (next.fingerprint === userDict.fingerprint) return false;
      userDict = next;
      ik = undefined;
      version++;
      return true;
    },
  };
}
