// A small LRU of query results (counts and ranked windows of rows), like Solr's queryResultCache. Entries
// are valid only while the generation is unchanged: SQLite's data_version moves when the writer commits.
//
// Only results that cost more to compute than checking the version are kept. Reading data_version is a
// statement of its own, and after a commit it is the one that pays for starting a read on a changed file (~4 us
// of a rare term's ~80 us on 1M rows, more on cold caches). So the version is read only when an entry could be
// used (a hit) or kept (an expensive result); a search of cheap results never reads it.

export interface ResultCache {
  /** Starts a search: the version is read again at its first hit or store. A commit during it is seen by the next. */
  begin(): void;
  /** The cached value for key, or computes it (and keeps it when it cost at least minCostMs). */
  through<T>(key: string, compute: () => T): T;
}

export interface ResultCacheOptions {
  /** Entries kept; 0 turns the cache off. Default 512. */
  readonly capacity?: number;
  /** Results computed faster than this are not kept. Default 0.25 ms. */
  readonly minCostMs?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

export function resultCache(dataVersion: () => number, options: ResultCacheOptions = {}): ResultCache {
  const capacity = options.capacity ?? 512;
  const minCostMs = options.minCostMs ?? 0.25;
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, unknown>();
  /** The version every entry was computed at (-1: none seen yet). */
  let version = -1;
  let checked = false;
  /** Reads the version once per search, dropping every entry if it moved; true when it had not. */
  const check = (): boolean => {
    if (checked) return true;
    checked = true;
    const v = dataVersion();
    if (v === version) return true;
    entries.clear();
    version = v;
    return false;
  };
  return {
    begin(): void {
      checked = false;
    },
    through<T>(key: string, compute: () => T): T {
      if (capacity <= 0) return compute();
      if (entries.has(key) && check() && entries.has(key)) {
        const hit = entries.get(key) as T;
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const started = now();
      const value = compute();
      if (now() - started < minCostMs) return value;
      // Kept under the version this search saw before computing it, which is safe (a later commit moves the
      // version and drops it). When the search had not read it yet, it is read now: unchanged since the last
      // search that read it means the result was computed on that version's data; moved, it is not kept.
      if (!check()) return value;
      entries.set(key, value);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
      return value;
    },
  };
}

/** A cache key for SQL and its parameters (bigints kept exact; strings quoted, so no two lists collide). */
export function cacheKey(sql: string, params: readonly unknown[]): string {
  let key = sql;
  for (const p of params) {
    key += '\u0000';
    if (typeof p === 'string') key += JSON.stringify(p);
    else if (typeof p === 'bigint') key += `${p}n`;
    else if (p === undefined) key += 'u';
    else key += JSON.stringify(p) ?? String(p);
  }
  return key;
}
