// Helpers that decide, the way FTS5 would, whether query tokens match a document's index tokens.
export function containsAll(index: readonly string[], query: readonly string[]): boolean {
  const set = new Set(index);
  return query.every((t) => set.has(t));
}

/** True if `query` occurs as adjacent tokens, in order, somewhere in `index`. */
export function containsPhrase(index: readonly string[], query: readonly string[]): boolean {
  if (query.length === 0) return false;
  outer: for (let i = 0; i + query.length <= index.length; i++) {
    for (let j = 0; j < query.length; j++) if (index[i + j] !== query[j]) continue outer;
    return true;
  }
  return false;
}

/** True if every token of `group` occurs within a window of `group.length + slop` tokens of `index` (FTS5 NEAR). */
export function containsNear(index: readonly string[], group: readonly string[], slop: number): boolean {
  const width = group.length + slop;
  for (let i = 0; i < index.length; i++) {
    const window = new Set(index.slice(i, i + width));
    if (group.every((t) => window.has(t))) return true;
  }
  return false;
}
