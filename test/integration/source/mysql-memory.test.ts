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
 * RSS after a full GC: what the scan retains, not what V8 has yet to collect (its heap grows lazily by
 * tens of MB before collecting, which says nothing about whether memory is bounded).
 */
function retainedRss(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().rss;
}

test('a 200k-row table streams with memory growth far below its size', async () => {
  const rows = 200_000;
  await db.exec(`CREATE TABLE app.wide (id INT PRIMARY KEY, name VARCHAR(40), body VARCHAR(700), born DATE, salary DECIMAL(12,2));
    INSERT INTO app.wide SELECT seq, CONCAT('name-', seq), REPEAT(CONCAT('body ', seq, ' '), 50), '1990-01-01' + INTERVAL (seq % 9000) DAY, seq * 1.25 FROM seq_1_to_${rows}`);
  const [size] = await db.query<{ bytes: number }[]>('SELECT SUM(LENGTH(body) + LENGTH(name) + 20) AS bytes FROM app.wide');
  const tableBytes = Number(size!.bytes);
  await using source = await createMySqlSource({ host: db.host, port: db.port, user: db.user, password: db.password });
  const schema = await source.describe('app', 'wide');
  await using snapshot = await source.openSnapshot(schema, { parallel: 2 });

  const baseline = retainedRss();
  let peak = baseline;
  let atHalf = 0;
  let count = 0;
  let bodyBytes = 0;
  for await (const batch of snapshot.rows({ columns: ['id', 'name', 'body', 'born', 'salary'], batchSize: 500 })) {
    count += batch.length;
    for (const r of batch) bodyBytes += String(r.body).length;
    if (count % 10_000 < 500) peak = Math.max(peak, retainedRss());
    if (count === rows / 2) atHalf = peak;
  }
  const growth = peak - baseline;
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  assert.equal(count, rows);
  assert.ok(bodyBytes > 100_000_000, 'the whole body text went through');
  // A fixed working set (V8 young generation, driver buffers, ~50 MB here) that does not scale with rows.
  assert.ok(growth < tableBytes / 2, `RSS grew ${mb(growth)} for a ${mb(tableBytes)} table`);
  // Flat, not merely small: the second half of the table adds (almost) nothing.
  assert.ok(peak - atHalf < tableBytes / 20, `RSS grew ${mb(peak - atHalf)} over the second half`);
  console.log(`# rss growth ${mb(growth)} (${mb(peak - atHalf)} in the second half) streaming a ${mb(tableBytes)} table`);
});

