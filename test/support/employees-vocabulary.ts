// Word lists behind the employees data generator: Chinese words with corpus counts from jieba's
// dict.txt (loaded once, read-only), a Zipf-ranked English list, and name lists.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface WeightedWords {
  readonly words: readonly string[];
  /** cumulative[i] = sum of weights of words[0..i]. */
  readonly cumulative: Float64Array;
  /** guide[k] = first i with cumulative[i] > k/GUIDE_SIZE of the total: narrows each search to a few entries. */
  readonly guide: Uint32Array;
}

const GUIDE_SIZE = 1 << 16;

/** The word whose cumulative-weight interval holds `unit` (0 ≤ unit < 1) of the total. */
export function pickWeighted(list: WeightedWords, unit: number): string {
  const cumulative = list.cumulative;
  const target = unit * cumulative[cumulative.length - 1]!;
  const bucket = Math.floor(unit * GUIDE_SIZE);
  let lo = list.guide[bucket]!;
  let hi = bucket + 1 < GUIDE_SIZE ? list.guide[bucket + 1]! : cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return list.words[lo]!;
}

/** Path of the dictionary bundled with @node-rs/jieba (349k words with counts). */
export function jiebaDictPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@node-rs/jieba/package.json')), 'dict.txt');
}

const CJK_ONLY = /^[\u3400-\u9fff]+$/u;

/** Chinese words of dict.txt weighted by corpus count, most frequent first; words with Latin letters or digits are left out. */
export function loadChineseWords(path: string = jiebaDictPath()): WeightedWords {
  const entries: Array<[string, number]> = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [word, count] = line.split(' ');
    if (word === undefined || count === undefined || !CJK_ONLY.test(word)) continue;
    const n = Number(count);
    if (n > 0) entries.push([word, n]);
  }
  // Frequency order (ties by word) makes rank meaningful and the sampling independent of file order.
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return weighted(entries);
}

/** English words, roughly by frequency; sampled with Zipf weights 1/rank. */
export const ENGLISH_WORDS: readonly string[] = (
  'the of and to in is for that with on as was by at from this are be it an or have not which his ' +
  'but they has more one were had their also all new can about there been first time after who other ' +
  'two would into its people most over years some only may than year school when between world where ' +
  'during such many both work system including these used city under state through team company data ' +
  'market service project design research support group search index table report customer product ' +
  'engineer manager office network server cloud database query release build review plan budget ' +
  'training quality security storage cluster platform mobile finance marketing sales operations ' +
  'analytics pipeline partner contract strategy program process migration backup latency throughput ' +
  'kafka tidb mysql replica shard schema snapshot stream consumer producer benchmark deployment ' +
  'monitoring dashboard incident oncall roadmap quarterly annual regional global senior junior intern ' +
  'hiking photography chess violin marathon cooking gardening travel reading painting football tennis ' +
  'swimming cycling yoga piano guitar jazz coffee tea dumplings noodles mountains ocean river forest ' +
  'shanghai beijing shenzhen hangzhou chengdu singapore london berlin tokyo seattle toronto sydney ' +
  'paris madrid dublin amsterdam stockholm helsinki vienna prague warsaw lisbon athens cairo nairobi ' +
  'mentor volunteer speaker author founder leader architect analyst consultant developer designer ' +
  'scientist researcher teacher student graduate university degree master bachelor doctorate thesis ' +
  'award patent paper conference workshop meetup hackathon certification license framework library ' +
  'compiler kernel protocol encryption observability resilience scalability availability consistency'
)
  .split(' ')
  .filter((w) => w.length > 0);

export function zipf(words: readonly string[]): WeightedWords {
  return weighted(words.map((w, i) => [w, 1 / (i + 1)] as [string, number]));
}

function weighted(entries: ReadonlyArray<readonly [string, number]>): WeightedWords {
  const cumulative = new Float64Array(entries.length);
  let sum = 0;
  entries.forEach(([, n], i) => {
    sum += n;
    cumulative[i] = sum;
  });
  const guide = new Uint32Array(GUIDE_SIZE);
  let i = 0;
  for (let k = 0; k < GUIDE_SIZE; k++) {
    const threshold = (k / GUIDE_SIZE) * sum;
    while (i < cumulative.length - 1 && cumulative[i]! <= threshold) i++;
    guide[k] = i;
  }
  return { words: entries.map(([w]) => w), cumulative, guide };
}

export const WESTERN_FIRST_NAMES: readonly string[] = (
  'Georgi Bezalel Parto Chirstian Kyoichi Anneke Tzvetan Saniya Sumant Duangkaew Mary Patricio ' +
  'Eberhardt Berni Guoxiang Kazuhito Cristinel Kazuhide Lillian Mayuko Ramzi Shahaf Bojan Suzette ' +
  'Prasadram Yongqiao Divier Domenick Otmar Elvis Karsten Jeong Arif Bader Alain Adamantios Pradeep ' +
  'Huan Alejandro Weiyi Uri Magy Yishay Mingsen Moss Lucien Zvonko Florian Basil Yinghua Hidefumi ' +
  'Heping Sanjiv Mayumi Gino Udi Mokhtar Erez Mona Danel Kshitij Premal Zhongwei Parviz Vishv Tuval ' +
  'Kenroku Somnath Xinglin Jungsoon Sudharsan Kendra Amabile Valdiodio Sailaja Arumugam Hilari Jayson'
)
  .split(' ')
  .filter((w) => w.length > 0);

export const WESTERN_LAST_NAMES: readonly string[] = (
  'Facello Simmel Bamford Koblick Maliniak Preusig Zielinski Kalloufi Peac Piveteau Sluis Bridgland ' +
  'Terkki Genin Nooteboom Cappelletti Bouloucos Peha Haddadi Warwick Erde Famili Montemayor Pettey ' +
  'Heyers Berztiss Reistad Tempesti Herbst Velasco Jansch Ritzmann Azuma Mondadori Baek Chappelet ' +
  'Lenart Hofting Nyanchama Kalisetti Jenevein Tzvieli Kambil Harbusch Schueller Syrzycki Zschoche ' +
  'Feinberg Sidou Demeyer Lortz Gide Schwartzbauer Swan Tokunaga Lipner Bernatsky Kaiser Waschkowski ' +
  'Casley Mitchem Waleschkowski Merro Gubsky Hartvigsen Hofmeyr Thebaut Gustavson Riesenhuber Motley'
)
  .split(' ')
  .filter((w) => w.length > 0);

export const CHINESE_SURNAMES: readonly string[] = '王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高 欧阳 司马 诸葛'.split(' ');

export const CHINESE_GIVEN_NAMES: readonly string[] = (
  '伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 晓东 志强 ' +
  '雨桐 子涵 浩然 欣怡 梓萱 宇轩 思远 嘉怡 俊杰 婉清 一鸣 可馨 若曦 天佑 书瑶'
)
  .split(' ')
  .filter((w) => w.length > 0);

/** Names that exercise accents, combining marks and emoji (astral code points) in analyzers and storage. */
export const UNUSUAL_FIRST_NAMES: readonly string[] = ['José', 'Zoë', 'Ólafur', 'François', 'Søren', 'Łukasz', 'Chloé', 'Ana🌸', 'Kai🚀', 'Renée', 'Nguyễn', 'Ma\u0301rta'];
export const UNUSUAL_LAST_NAMES: readonly string[] = ['Müller', 'García', 'Ðorđević', 'Çelik', 'Øster', 'Dvořák', 'Brontë', 'O\'Brien', 'Smith✨', 'Lefèvre', 'Straße', 'Nuñez'];
