// A small LRU of query results (counts and ranked windows of rows), like Solr's queryResultCache. Entries
// are valid only while the generation is unchanged: SQLite's data_version moves when the writer commits.

export interface ResultCache {
  /** The cached value for key, or computes, stores and returns it. */
  through<T>(key: string, compute: () => T): T;
}

export function resultCache(dataVersion: () => number, capacity = 512): ResultCache {
  const entries = new Map<string, unknown>();
  let version = -1;
  return {
    through<T>(key: string, compute: () => T): T {
      if (capacity <= 0) return compute();
      const v = dataVersion();
      if (v !== version) {
        entries.clear();
        version = v;
      }
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

/** A cache key for SQL and its parameters (bigints kept exact). */
export function cacheKey(sql: string, params: readonly unknown[]): string {
  return `${sql}\u0000${JSON.stringify(params, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
}
