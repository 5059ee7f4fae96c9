// The result cache against a real SQLite file written by another connection: an expensive result is kept
// until a commit, a cheap one is never kept and costs no version read, and a result whose computation a commit
// overtook is not kept, so no search is answered from data older than what it could read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { resultCache, type ResultCache } from '../../../../src/engine/search/result-cache.js';

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'result-cache-'));
  const file = join(dir, 'gen.sqlite');
  const writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  writer.exec('CREATE TABLE t(n INTEGER); INSERT INTO t VALUES (1)');
  const reader = new Database(file, { readonly: true });
  const version = reader.prepare('PRAGMA data_version').pluck();
  let versionReads = 0;
  const dataVersion = () => {
    versionReads++;
    return version.get() as number;
  };
  const read = reader.prepare('SELECT n FROM t').pluck();
  const bump = writer.prepare('UPDATE t SET n = n + 1');
  return {
    dataVersion,
    versionReads: () => versionReads,
    /** What a search reads from the file. */
    value: () => read.get() as number,
    commit: () => void bump.run(),
    close() {
      reader.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock that the computation moves forward by the cost it is given. */
function clock() {
  let t = 0;
  return { now: () => t, spend: (ms: number) => (t += ms) };
}

type Files = ReturnType<typeof files>;
type Clock = ReturnType<typeof clock>;

/** A cache over a fresh file and clock, keeping results that cost 1 ms or more; the file is removed after `body`. */
function withCache(body: (f: Files, c: Clock, cache: ResultCache) => void, capacity?: number): void {
  const f = files();
  const c = clock();
  const cache = resultCache(f.dataVersion, { now: c.now, minCostMs: 1, ...(capacity === undefined ? {} : { capacity }) });
  try {
    body(f, c, cache);
  } finally {
    f.close();
  }
}

test('an expensive result is kept until another connection commits, then computed again', () => {
  withCache((f, c, cache) => {
    let computed = 0;
    const search = () => {
      cache.begin();
      return cache.through('q', () => {
        computed++;
        c.spend(5);
        return f.value();
      });
    };
    assert.equal(search(), 1);
    assert.equal(search(), 1); // first kept here: the first search saw no version to compare with
    assert.equal(search(), 1);
    assert.equal(computed, 2);
    f.commit();
    assert.equal(search(), 2, 'a commit makes the next search compute again');
    assert.equal(search(), 2);
    assert.equal(computed, 3);
  });
});

test('a cheap result is computed every time and never reads the version', () => {
  withCache((f, c, cache) => {
    let computed = 0;
    for (let i = 0; i < 5; i++) {
      if (i === 3) f.commit();
      cache.begin();
      const v = cache.through('q', () => {
        computed++;
        c.spend(0.1);
        return f.value();
      });
      assert.equal(v, i >= 3 ? 2 : 1);
    }
    assert.equal(computed, 5);
    assert.equal(f.versionReads(), 0);
  });
});

test('a result computed while a commit lands is not kept: the next search reads the new data', () => {
  withCache((f, c, cache) => {
    const expensive = (during?: () => void) => () => {
      const v = f.value();
      during?.();
      c.spend(5);
      return v;
    };
    cache.begin();
    cache.through('warm', expensive()); // the cache learns the version
    cache.begin();
    assert.equal(cache.through('q', expensive(f.commit)), 1, 'read before the commit');
    cache.begin();
    assert.equal(cache.through('q', expensive()), 2, 'not answered from the result the commit overtook');
  });
});

test('a search that read the version keeps what it computes after, and least recently used entries go first', () => {
  withCache((_, c, cache) => {
    const computed: string[] = [];
    const get = (key: string) =>
      cache.through(key, () => {
        computed.push(key);
        c.spend(5);
        return key;
      });
    cache.begin();
    get('a');
    cache.begin();
    get('a'); // kept now
    get('b');
    get('a'); // a hit: b is now the least recently used
    get('c'); // evicts b
    get('a');
    get('b');
    assert.deepEqual(computed, ['a', 'a', 'b', 'c', 'b']);
  }, 2);
});
