// `pinyin`: a Chinese name or title is found by its full pinyin (beijing), its initials (bj), or the Chinese.
import { createRequire } from 'node:module';
import type { Analyzer } from './analyzer.js';
import type { ChineseFold } from './chinese-fold.js';
import { foldWestern } from './standard.js';

/**
 * The value is folded (full-width, traditional → simplified, accents, case) and cut into segments at whitespace
 * and punctuation. Per segment, index tokens are, in order:
 * - its pieces: each Han character alone and each run of other letters/digits ("qq音乐" → qq 音 乐), so a Chinese
 *   query matches as a phrase of characters ("北京" finds "北京大学");
 * - its full pinyin, syllables run together, other runs kept ("beijingdaxue", "qqyinyue");
 * - its initials ("bjdx", "qqyy"): first letter of each syllable, other runs kept whole;
 * - when the first segment is name-sized (≤ 4 characters) and reading its first character as a surname changes
 *   the result (单 dan → shan), those two again;
 * - with several segments (or none with Han), the full pinyin and initials of the whole value run together.
 * ü is written v (lv), as pinyin input methods do. Polyphonic characters take the reading pinyin-pro picks in
 * context; other readings are not indexed. A title is found by the pinyin of the whole segment; partial
 * pinyin ("beijing" for 北京大学) needs a prefix query (beijing*).
 * Query: text with Han characters → its pieces (a phrase); otherwise the letters and digits run together
 * ("Bei Jing" → beijing), so one token is compared with the full and initials tokens.
 */
const HAN = /\p{Script=Han}/u;
const PIECES = /\p{Script=Han}|[\p{L}\p{N}]+?(?=\p{Script=Han}|[^\p{L}\p{N}]|$)/gu;
const SEGMENTS = /[^\p{L}\p{N}]+/u;
const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;
const MAX_NAME_LENGTH = 4;

// pinyin-pro's dictionaries take ~23 MiB in every thread that loads them: loaded (its CommonJS build,
// synchronously) when a pinyin field is first analysed, so analysis workers of other indexes never pay for it.
let pinyinPro: typeof import('pinyin-pro') | undefined;
const loadPinyinPro = (): typeof import('pinyin-pro') => (pinyinPro ??= createRequire(import.meta.url)('pinyin-pro') as typeof import('pinyin-pro'));

function readings(segment: string, surname: boolean): { full: string; initials: string } {
  const syllables = loadPinyinPro().pinyin(segment, { toneType: 'none', type: 'array', v: true, nonZh: 'consecutive', surname: surname ? 'head' : 'off' });
  let full = '';
  let initials = '';
  let i = 0;
  // pinyin-pro returns one entry per Han character and one per run of other characters ('consecutive').
  for (const piece of segment.match(PIECES) ?? []) {
    const s = syllables[i++] ?? piece;
    if (HAN.test(piece)) {
      full += s;
      initials += s.charAt(0);
    } else {
      full += piece;
      initials += piece;
    }
  }
  return { full, initials };
}

export function createPinyinAnalyzer(fold: ChineseFold): Analyzer {
  return {
    name: 'pinyin',
    indexText(text: string): string {
      return this.analyze(text, 'index').join(' ');
    },
    queryJoin: 'phrase',
    analyze(text: string, mode): string[] {
      const folded = foldWestern(fold.fold(text));
      const out: string[] = [];
      if (mode === 'query' && !HAN.test(folded)) {
        const joined = folded.replace(NOT_ALNUM, '');
        return joined === '' ? [] : [joined];
      }
      const segments = folded.split(SEGMENTS).filter((seg) => seg !== '');
      for (const segment of segments) out.push(...(segment.match(PIECES) ?? []));
      if (mode === 'query') return out;
      let wholeFull = '';
      let wholeInitials = '';
      for (const segment of segments) {
        const plain = readings(segment, false);
        wholeFull += plain.full;
        wholeInitials += plain.initials;
        if (HAN.test(segment)) out.push(plain.full, plain.initials);
      }
      // The whole value run together, so "Bei Jing" and "张三丰 传奇" are found by one query token too.
      if (segments.length > 1 || (segments.length === 1 && !HAN.test(segments[0]!))) out.push(wholeFull, wholeInitials);
      const first = segments[0];
      // Surname readings only matter for names, which are short; pinyin-pro is the cost here.
      if (first !== undefined && first.length <= MAX_NAME_LENGTH && HAN.test(first.charAt(0))) {
        const named = readings(first, true);
        const plain = readings(first, false);
        if (named.full !== plain.full) out.push(named.full, named.initials);
      }
      return out;
    },
  };
}
