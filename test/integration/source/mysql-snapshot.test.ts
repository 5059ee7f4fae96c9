// The dump sees one consistent snapshot across all its parallel connections while writers keep
// committing, and stops and releases its connections on abort or an early break.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMySqlSource } from '../../../src/source/mysql/index.js';
import type { Source } from '../../../src/source/source.js';
import { tsoToMillis } from '../../../src/core/tso.js';
import { startMariaDb, type MariaDb } from '../../support/mariadb.js';

let db: MariaDb;
const READER = 'reader';

before(async () => {
  db = await startMariaDb({ database: 'app', connectionLimit: 6 });
  // A dedicated account, so the process list shows exactly the source's connections.
  await db.exec(`CREATE USER '${READER}'@'%' IDENTIFIED BY 'pw'; GRANT SELECT, LOCK TABLES, BINLOG MONITOR ON *.* TO '${READER}'@'%'`);
});
after(async () => {
  await db?.stop();
});

const openSource = (): Promise<Source> => createMySqlSource({ host: db.host, port: db.port, user: READER, password: 'pw', parallel: 4 });

async function readerConnections(): Promise<number> {
  const [row] = await db.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?', [READER]);
  return Number(row!.n);
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const ROWS = 6_000;
const MOVED = 1_000_000;
const ROUNDS = 4;

test('writes committed during the dump never appear in it, and none committed before it vanish', async () => {
  await db.exec(`CREATE TABLE app.accounts (id BIGINT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(200) NOT NULL);
    INSERT INTO app.accounts SELECT seq, 100, REPEAT('x', 200) FROM seq_1_to_${ROWS}`);
  await using source = await openSource();
  const schema = await source.describe('app', 'accounts');

  // Four writers commit until the end: transfers between two ids of the upper half (the sum of v is
  // constant) and moves of a lower-half id X to X + 1,000,000 (exactly one of the two exists). Range
  // readers with different read views would see a transfer half done, or a moved row twice or never.
  interface Move {
    readonly from: number;
    readonly sentAt: number;
    readonly ackedAt: number;
  }
  const moves: Move[] = [];
  const moved = new Set<number>();
  let stop = false;
  let transfers = 0;
  const half = ROWS / 2;
  const writer = async (seed: number): Promise<void> => {
    let n = seed;
    while (!stop) {
      n = (n * 1103515245 + 12345) % 2 ** 31;
      const low = 1 + (n % half);
      if (n % 4 === 0 && !moved.has(low)) {
        moved.add(low);
        const sentAt = Date.now();
        await db.exec(`START TRANSACTION; INSERT INTO app.accounts SELECT id + ${MOVED}, v, pad FROM app.accounts WHERE id = ${low}; DELETE FROM app.accounts WHERE id = ${low}; COMMIT`);
        moves.push({ from: low, sentAt, ackedAt: Date.now() });
      } else {
        const from = half + 1 + ((n >> 4) % half);
        const to = half + 1 + ((n >> 12) % half);
        await db.exec(`START TRANSACTION; UPDATE app.accounts SET v = v - 7 WHERE id = ${from}; UPDATE app.accounts SET v = v + 7 WHERE id = ${to}; COMMIT`);
        transfers++;
      }
    }
  };
  const writers = [writer(1), writer(2), writer(3), writer(4)];

  try {
    // Several snapshots: the moment the read views open is the risky one, so it is taken many times.
    for (let round = 0; round < ROUNDS; round++) {
      await new Promise((r) => setTimeout(r, 50));
      const openedBefore = Date.now();
      const snapshot = await source.openSnapshot(schema, { parallel: 4 });
      const openedAt = Date.now();
      const sMillis = tsoToMillis(snapshot.position.snapshotTs);
      assert.ok(sMillis >= openedBefore - 5 && sMillis <= openedAt, 'S is the clock when the snapshot was taken');
      assert.equal(snapshot.position.dialect, 'mariadb');
      assert.match(snapshot.position.binlog?.file ?? '', /^binlog\.\d+$/);
      assert.ok((snapshot.position.binlog?.pos ?? 0) > 0);

      const ids = new Map<number, number>();
      let batches = 0;
      try {
        for await (const batch of snapshot.rows({ columns: ['id', 'v'], batchSize: 100, parallel: 4 })) {
          for (const row of batch) {
            assert.ok(!ids.has(Number(row.id)), `row ${row.id} dumped twice`);
            ids.set(Number(row.id), Number(row.v));
          }
          // Slow consumer: the dump lasts while the writers keep committing.
          if (++batches % 2 === 0) await new Promise((r) => setTimeout(r, 10));
        }
      } finally {
        await snapshot[Symbol.asyncDispose]();
      }

      const context = `round ${round}`;
      assert.equal(ids.size, ROWS, `${context}: as many rows as at the snapshot`);
      assert.equal([...ids.values()].reduce((a, b) => a + b, 0), ROWS * 100, `${context}: no transfer seen half done`);
      for (const m of moves) {
        const atOld = ids.has(m.from);
        const atNew = ids.has(m.from + MOVED);
        assert.ok(atOld !== atNew, `${context}: row ${m.from} moved: exactly one of its two ids is in the dump`);
        if (m.ackedAt < sMillis) assert.ok(atNew, `${context}: move of ${m.from} committed before S is in the dump`);
        if (m.sentAt > openedAt) assert.ok(atOld, `${context}: move of ${m.from} committed after the snapshot is not in the dump`);
      }
    }
  } finally {
    stop = true;
    await Promise.all(writers);
  }
  const late = moves.filter((m) => m.sentAt > moves[0]!.sentAt).length;
  assert.ok(transfers > 100 && late > 50, `writers were busy throughout (${transfers} transfers, ${moves.length} moves)`);
  // And the table really did change meanwhile.
  const [now] = await db.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM app.accounts WHERE id > ${MOVED}`);
  assert.equal(Number(now!.n), moves.length);
});

test('aborting mid-scan stops the readers and releases every snapshot connection', async () => {
  await db.exec(`CREATE TABLE app.big (id INT PRIMARY KEY, t VARCHAR(100));
    INSERT INTO app.big SELECT seq, REPEAT('y', 100) FROM seq_1_to_50000`);
  await using source = await openSource();
  const schema = await source.describe('app', 'big');
  assert.equal(await readerConnections(), 1, 'only the metadata connection before the snapshot');

  const controller = new AbortController();
  const snapshot = await source.openSnapshot(schema, { parallel: 3 });
  await eventually(async () => (await readerConnections()) === 4, 'three snapshot connections to join');
  let seen = 0;
  await assert.rejects(
    (async () => {
      for await (const batch of snapshot.rows({ columns: ['id', 't'], batchSize: 100, signal: controller.signal })) {
        seen += batch.length;
        if (seen >= 1000) controller.abort();
      }
    })(),
    (err: Error) => err.name === 'AbortError',
  );
  assert.ok(seen < 50_000);
  await eventually(async () => (await readerConnections()) === 1, 'snapshot connections to close after abort');
  await snapshot[Symbol.asyncDispose]();

  // A signal given to openSnapshot releases it too, even with no scan running.
  const whole = new AbortController();
  const second = await source.openSnapshot(schema, { parallel: 2, signal: whole.signal });
  await eventually(async () => (await readerConnections()) === 3, 'two snapshot connections to join');
  whole.abort();
  await eventually(async () => (await readerConnections()) === 1, 'connections to close when the snapshot signal aborts');
  await second[Symbol.asyncDispose]();

  // Leaving the loop early (break) also releases them.
  const third = await source.openSnapshot(schema, { parallel: 2 });
  for await (const _ of third.rows({ columns: ['id'] })) break;
  await eventually(async () => (await readerConnections()) === 1, 'connections to close after break');
  await third[Symbol.asyncDispose]();
});


test('without the LOCK TABLES privilege the snapshot is read by one connection, still consistently', async () => {
  await db.exec(`CREATE TABLE app.small (id INT PRIMARY KEY, t VARCHAR(10));
    INSERT INTO app.small SELECT seq, CONCAT('v', seq) FROM seq_1_to_1000;
    CREATE USER 'plain'@'%' IDENTIFIED BY 'pw'; GRANT SELECT ON app.* TO 'plain'@'%'`);
  await using source = await createMySqlSource({ host: db.host, port: db.port, user: 'plain', password: 'pw' });
  const schema = await source.describe('app', 'small');
  await using snapshot = await source.openSnapshot(schema, { parallel: 3 });
  await eventually(async () => {
    const [conns] = await db.query<{ n: number }[]>("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'plain'");
    return Number(conns!.n) === 2;
  }, 'only the metadata connection and one reader to remain');
  // MariaDB reports the read view's binlog position to any user.
  assert.match(snapshot.position.binlog?.file ?? '', /^binlog\.\d+$/);
  assert.equal(await snapshot.estimateRows(), 1000, 'a small table is counted exactly');
  // The same snapshot can be scanned again and gives the same rows.
  for (let pass = 0; pass < 2; pass++) {
    let n = 0;
    for await (const batch of snapshot.rows({ columns: ['id', 't'], parallel: 3 })) n += batch.length;
    assert.equal(n, 1000);
  }
});

test('a long write transaction holding the table makes the snapshot fall back to one connection, not hang', async () => {
  await db.exec(`CREATE TABLE app.busy (id INT PRIMARY KEY, t VARCHAR(20));
    INSERT INTO app.busy SELECT seq, 'committed' FROM seq_1_to_2000`);
  const holder = await db.pool.getConnection();
  try {
    await holder.query("START TRANSACTION; UPDATE app.busy SET t = 'uncommitted' WHERE id = 7");
    await using source = await createMySqlSource({ host: db.host, port: db.port, user: READER, password: 'pw', lockWaitSeconds: 1 });
    const schema = await source.describe('app', 'busy');
    const started = Date.now();
    await using snapshot = await source.openSnapshot(schema, { parallel: 4 });
    assert.ok(Date.now() - started < 5000, 'gave up on the lock after about lockWaitSeconds');
    await eventually(async () => (await readerConnections()) === 2, 'only the metadata connection and one reader to remain');
    const seen = new Map<number, string>();
    for await (const batch of snapshot.rows({ columns: ['id', 't'] })) for (const r of batch) seen.set(Number(r.id), String(r.t));
    assert.equal(seen.size, 2000);
    assert.equal(seen.get(7), 'committed', 'the uncommitted write is not in the snapshot');
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
});
