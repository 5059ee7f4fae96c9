// A small LRU of query results (counts and ranked windows of rows), like Solr's queryResultCache. Entries
// are valid only while the generation is unchanged: SQLite's data_version moves when the writer commits.

export interface ResultCache {
  /**
   * Reads data_version once for the search about to run (dropping every entry if it moved); the search's
   * `through` calls then check against it. A commit during the search is seen by the next one.
   */
  begin(): void;
  /** The cached value for key, or computes, stores and returns it. */
  through<T>(key: string, compute: () => T): T;
}

export function resultCache(dataVersion: () => number, capacity = 512): ResultCache {
  const entries = new Map<string, unknown>();
  let version = -1;
  return {
    begin(): void {
      if (capacity <= 0) return;
      const v = dataVersion();
      if (v !== version) {
        entries.clear();
        version = v;
      }
    },
    through<T>(key: string, compute: () => T): T {
      if (capacity <= 0) return compute();
      if (entries.has(key)) {
        const hit = entries.get(key) as T;
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const value = compute();
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
