// Streaming a table larger than memory should allow keeps RSS flat: back-pressure from the consumer
// reaches the sockets, and nothing per row outlives its batch.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMySqlSource } from '../../../src/source/mysql/index.js';
import { startMariaDb, type MariaDb } from '../../support/mariadb.js';

let db: MariaDb;

before(async () => {
  db = await startMariaDb({ database: 'app' });
});
after(async () => {
  await db?.stop();
});

/**
 * Memory after a full GC: what the scan retains, not what V8 has yet to collect (its heap grows lazily
 * by tens of MB before collecting, which says nothing about whether memory is bounded).
 */
function retained(): NodeJS.MemoryUsage {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage();
}

test('a 200k-row table streams in flat memory, far below its size', async () => {
  const rows = 200_000;
  await db.exec(`CREATE TABLE app.wide (id INT PRIMARY KEY, name VARCHAR(40), body VARCHAR(700), born DATE, salary DECIMAL(12,2));
    INSERT INTO app.wide SELECT seq, CONCAT('name-', seq), REPEAT(CONCAT('body ', seq, ' '), 50), '1990-01-01' + INTERVAL (seq % 9000) DAY, seq * 1.25 FROM seq_1_to_${rows}`);
  const [size] = await db.query<{ bytes: number }[]>('SELECT SUM(LENGTH(body) + LENGTH(name) + 20) AS bytes FROM app.wide');
  const tableBytes = Number(size!.bytes);
  await using source = await createMySqlSource({ host: db.host, port: db.port, user: db.user, password: db.password });
  const schema = await source.describe('app', 'wide');
  await using snapshot = await source.openSnapshot(schema, { parallel: 2 });

  const baseline = retained();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  let count = 0;
  let bodyBytes = 0;
  for await (const batch of snapshot.rows({ columns: ['id', 'name', 'body', 'born', 'salary'], batchSize: 500 })) {
    count += batch.length;
    for (const r of batch) bodyBytes += String(r.body).length;
    if (count % 20_000 === 0) {
      const m = retained();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }
  }
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  const rssGrowth = peakRss - baseline.rss;
  const heapGrowth = peakHeap - baseline.heapUsed;
  assert.equal(count, rows);
  assert.ok(bodyBytes > 100_000_000, 'the whole body text went through');
  // What the scan holds on to: a few batches in flight, whatever the table size.
  assert.ok(heapGrowth < 15e6, `live heap grew ${mb(heapGrowth)} while streaming a ${mb(tableBytes)} table`);
  // RSS adds a fixed working set on top (V8's young generation alone is up to 48 MB, plus malloc'd
  // driver buffers, and neither is returned to the OS at once): bounded, below the table size.
  assert.ok(rssGrowth < Math.min(100e6, tableBytes), `RSS grew ${mb(rssGrowth)} while streaming a ${mb(tableBytes)} table`);
  console.log(`# streaming a ${mb(tableBytes)} table: live heap +${mb(heapGrowth)}, RSS +${mb(rssGrowth)}`);
});

