// Every dictionary word in a run of Han text, overlapping, and every character: the tokens of jieba's
// cutAll, in the same order, computed over the same dictionary (jieba's dict.txt plus the user words).
//
// Why not call jieba: index-mode ik analysis runs this on every row of a build and every changed row of a
// channel. Through @node-rs/jieba it cost ~47 µs per 200-byte text here, most of it in turning ~80 tokens per
// text into JS strings one N-API call at a time; this lookup costs a fraction of that, and an analysis worker
// that only indexes never loads jieba's model (~60 MiB per thread). cutAll is no model: it enumerates the
// dictionary's words at every position (jieba's DAG), so the lookup below is the same function.
// A unit test compares it with jieba.cutAll on generated text.
import type { TokenText } from './token-text.js';

export interface DictionaryWords {
  /**
   * Writes, for each position of `text` from `from` to `to` (Han characters of the BMP only: no surrogates),
   * the character and then every dictionary word of two or more characters starting there and ending before
   * `to`, shortest first. (jieba's cutAll leaves out a character that is not itself a dictionary word;
   * writing every character lets a query for any one character find it.)
   */
  writeAll(text: string, from: number, to: number, out: TokenText): void;
  /** Whether `word` (two or more Han characters of the BMP) is a dictionary word. */
  has(word: string): boolean;
}

/**
 * Builds the lookup from jieba-format dictionary texts (`word freq [tag]` per line): a trie of the words of
 * two or more characters, flattened into typed arrays (a node's child edges are contiguous and sorted by
 * character, so a lookup touches a few adjacent cache lines, not scattered strings): ~8 MiB for jieba's
 * dictionary, plus a hash of its two-character prefixes (pairTable, 4 MiB).
 */
export function dictionaryWords(...dictTexts: readonly string[]): DictionaryWords {
  const set = new Set<string>();
  for (const text of dictTexts) {
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      let stop = at;
      while (stop < end && text.charCodeAt(stop) !== 32 && text.charCodeAt(stop) !== 9 && text.charCodeAt(stop) !== 13) stop++;
      if (stop - at >= 2) set.add(text.slice(at, stop));
      at = end + 1;
    }
  }
  const { root, edgeStart, edgeCode, edgeNode, isWord } = buildTrie([...set].sort());
  /** The child of `node` along code unit `c`, or -1. */
  const child = (node: number, c: number): number => {
    let a = edgeStart[node]!;
    const end = edgeStart[node + 1]!;
    let b = end;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (edgeCode[m]! < c) a = m + 1;
      else b = m;
    }
    return a < end && edgeCode[a] === c ? edgeNode[a]! : -1;
  };
  const pair = pairTable(root, edgeStart, edgeCode, edgeNode);
  return {
    writeAll(text: string, from: number, to: number, out: TokenText): void {
      for (let i = from; i < to; i++) {
        const first = text.charCodeAt(i);
        out.begin(1);
        out.put(first);
        if (i + 1 >= to) continue;
        let node = pair(first, text.charCodeAt(i + 1));
        if (node >= 0 && isWord[node] === 1) out.slice(text, i, i + 2);
        for (let e = i + 2; node >= 0 && e < to; e++) {
          node = child(node, text.charCodeAt(e));
          if (node >= 0 && isWord[node] === 1) out.slice(text, i, e + 1);
        }
      }
    },
    has(word: string): boolean {
      let node = word.length >= 2 ? root[word.charCodeAt(0)]! : -1;
      for (let e = 1; node >= 0 && e < word.length; e++) node = child(node, word.charCodeAt(e));
      return node >= 0 && isWord[node] === 1;
    },
  };
}

/**
 * The node of every two-character prefix, by hash (open addressing, linear probing): the step from a character
 * to the next is the lookup's most frequent one (~0.9 per Han character of the bench's bios, against ~0.35 for
 * all longer ones) and the one with the widest fan-out (up to ~900 children, a binary search of ~10 steps).
 * jieba's dictionary has ~180k such prefixes: 2^19 slots of key and node, 4 MiB.
 */
function pairTable(root: Int32Array, edgeStart: Int32Array, edgeCode: Uint16Array, edgeNode: Int32Array): (first: number, second: number) => number {
  let pairs = 0;
  for (let c = 0; c < root.length; c++) if (root[c]! >= 0) pairs += edgeStart[root[c]! + 1]! - edgeStart[root[c]!]!;
  let bits = 4;
  while (1 << bits < pairs * 2) bits++;
  const mask = (1 << bits) - 1;
  const shift = 32 - bits;
  // Key (first << 16 | second) | 0; 0 marks an empty slot (no dictionary word starts with U+0000).
  const keys = new Int32Array(1 << bits);
  const nodes = new Int32Array(1 << bits);
  for (let c = 0; c < root.length; c++) {
    const node = root[c]!;
    if (node < 0) continue;
    for (let e = edgeStart[node]!; e < edgeStart[node + 1]!; e++) {
      const key = (c << 16) | edgeCode[e]!;
      let slot = Math.imul(key, 0x9e3779b1) >>> shift;
      while (keys[slot] !== 0) slot = (slot + 1) & mask;
      keys[slot] = key;
      nodes[slot] = edgeNode[e]!;
    }
  }
  return (first: number, second: number): number => {
    const key = (first << 16) | second;
    for (let slot = Math.imul(key, 0x9e3779b1) >>> shift; ; slot = (slot + 1) & mask) {
      const k = keys[slot]!;
      if (k === key) return nodes[slot]!;
      if (k === 0) return -1;
    }
  };
}

interface Trie {
  /** Node of each first character, -1 where no word starts with it. */
  readonly root: Int32Array;
  /** Edges of node k: edgeStart[k] .. edgeStart[k + 1]. */
  readonly edgeStart: Int32Array;
  readonly edgeCode: Uint16Array;
  readonly edgeNode: Int32Array;
  /** 1 where the path to the node spells a word. */
  readonly isWord: Uint8Array;
}

/** Flattens sorted, distinct words (two or more UTF-16 units each) into a trie below per-character roots. */
function buildTrie(words: readonly string[]): Trie {
  let capacity = 1;
  for (const w of words) capacity += w.length;
  const edgeStart = new Int32Array(capacity + 1);
  const edgeCode = new Uint16Array(capacity);
  const edgeNode = new Int32Array(capacity);
  const isWord = new Uint8Array(capacity);
  const root = new Int32Array(0x10000).fill(-1);
  let nodes = 0;
  let edges = 0;
  // Node for the words in [lo, hi), which share their first `depth` characters; its edges are allocated
  // together, then each child is built in turn (depth-first), so a node's edges stay contiguous.
  const build = (lo: number, hi: number, depth: number): number => {
    const node = nodes++;
    if (words[lo]!.length === depth) {
      isWord[node] = 1;
      lo++;
    }
    const groups: number[] = [];
    for (let w = lo; w < hi; ) {
      const c = words[w]!.charCodeAt(depth);
      let end = w + 1;
      while (end < hi && words[end]!.charCodeAt(depth) === c) end++;
      groups.push(w, end);
      w = end;
    }
    const first = edges;
    edges += groups.length / 2;
    edgeStart[node] = first;
    for (let g = 0; g < groups.length; g += 2) {
      edgeCode[first + g / 2] = words[groups[g]!]!.charCodeAt(depth);
      edgeNode[first + g / 2] = build(groups[g]!, groups[g + 1]!, depth + 1);
    }
    return node;
  };
  for (let w = 0; w < words.length; ) {
    const c = words[w]!.charCodeAt(0);
    let end = w + 1;
    while (end < words.length && words[end]!.charCodeAt(0) === c) end++;
    root[c] = build(w, end, 1);
    w = end;
  }
  // Node k+1 is always created right after node k's edges were allocated (its first child, or the next
  // node built), so edgeStart[k + 1] ends node k's edges; the last node's end is set here.
  edgeStart[nodes] = edges;
  // Copies at the sizes used (the arrays were sized for the worst case, one node per character).
  return { root, edgeStart: edgeStart.slice(0, nodes + 1), edgeCode: edgeCode.slice(0, edges), edgeNode: edgeNode.slice(0, edges), isWord: isWord.slice(0, nodes) };
}
