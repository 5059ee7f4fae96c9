// The incremental channel end to end: real MariaDB changes, TiCDC-format canal-json messages on a real
// Kafka-protocol broker, and the index compared with the table document by document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMariaDb, startKafka, type MariaDb, type Kafka } from '../support/index.js';
import { createEmployeesTable } from '../support/employees-data.js';
import { startServer, type InProcessServer } from './helpers/server.js';
import { CdcProducer } from './helpers/cdc-producer.js';
import { diffIndexWithTable, waitUntilEqual } from './helpers/compare.js';

const ROWS = 3000;
const TOPIC = 'tidb_employees';
let db: MariaDb;
let kafka: Kafka;
let srv: InProcessServer;
let cdc: CdcProducer;

const FIELDS = { emp_no: 'integer', first_name: 'string', last_name: 'string', gender: 'string', hire_date: 'datetime', salary: 'decimal', bio: 'string' } as const;
const diff = () => diffIndexWithTable(srv, 'emp', db.pool, { db: 'employees', table: 'employess', key: 'emp_no', fields: FIELDS });
const nextNo = (() => {
  let n = 900_000;
  return () => ++n;
})();

async function incrStatus() {
  const r = await srv.admin('do_get_incr_status', { indexName: 'emp', log: true });
  assert.equal(r.success, true, r.errormsg.join());
  return r.bizresult;
}

function randomChange(i: number) {
  const key = 10001 + ((i * 7919) % ROWS);
  switch (i % 4) {
    case 0:
      return cdc.insert({ emp_no: nextNo(), birth_date: '1970-01-01', first_name: `Neo${i}`, last_name: '新员工', gender: 'M', hire_date: '2020-02-02', salary: '12345678.90', bio: `第${i}位新同事 joined the team 加入团队` });
    case 1:
      return cdc.update(key, { last_name: `改名${i}`, salary: (i % 3 === 0 ? null : `${i}.5`) as any });
    case 2:
      return cdc.delete(key);
    default:
      return cdc.update(key, { bio: `更新的简介 ${i} updated biography` });
  }
}

before(async () => {
  db = await startMariaDb();
  await createEmployeesTable(db.pool, { rows: ROWS });
  kafka = await startKafka();
  await kafka.createTopic(TOPIC, 8);
  cdc = await CdcProducer.create(db, kafka, TOPIC, 8, 'employees', 'employess');
  srv = await startServer();
});

after(async () => {
  await srv?.close();
  await kafka?.stop();
  await db?.stop();
});

test('changes made while the dump runs are neither lost nor applied twice (the hand-off)', async () => {
  let stop = false;
  let changes = 0;
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      await randomChange(i);
      changes++;
    }
  })();
  const r = await srv.admin('do_create', {
    datasource: { plugin: 'MySQL', host: db.host, port: db.port, user: 'root', password: '', dbName: 'employees' },
    table: 'employess',
    indexName: 'emp',
    columns: Object.keys(FIELDS).map((name) => ({ name, token: name === 'bio' ? 'ik' : name === 'last_name' ? 'standard' : undefined })),
    incr: { plugin: 'TiCDC-Kafka', mqAddress: kafka.brokers, topic: TOPIC, groupId: 'tidesearch-test', offsetResetStrategy: 'earliest', protocol: 'canal-json', maxWaitMs: 100 },
  });
  assert.equal(r.success, true, r.errormsg.join());
  const t = await srv.waitForTask(r.bizresult.taskid, 120_000);
  assert.equal(t.faild, false, t.errs);
  stop = true;
  await writer;
  assert.ok(changes > 20, `changes ran during the build (${changes})`);
  const d = await waitUntilEqual(diff);
  assert.deepEqual(d.slice(0, 5), [], `${d.length} differences`);
  const st = await srv.admin('do_get_index_status', { indexName: 'emp' });
  assert.equal(st.bizresult.incr_ready, true);
});

test('a few thousand mixed inserts, updates and deletes: the index equals the table, deletes included', async () => {
  for (let i = 1000; i < 3000; i++) await randomChange(i);
  const d = await waitUntilEqual(diff);
  assert.deepEqual(d.slice(0, 5), [], `${d.length} differences`);
  const s = await incrStatus();
  assert.equal(s.current_cursor.length, 8, 'one cursor per partition');
  assert.match(s.current_cursor[0].mqName, new RegExp(`^${TOPIC}-\\d$`));
  assert.ok(s.last_60_sec > 0);
  assert.equal(s.state, 'running');
  assert.ok(s.lag_ms !== null && s.lag_ms < 60_000, `lag ${s.lag_ms}`);
  assert.ok(s.applied > 0);
});

test('a primary-key change (delete + insert with one commitTs) moves the document', async () => {
  const newNo = nextNo();
  await cdc.update(10002, { emp_no: newNo });
  const d = await waitUntilEqual(diff);
  assert.deepEqual(d, []);
  const old = await srv.select('emp', { q: 'emp_no:10002' });
  assert.equal(old.response.numFound, 0);
  const moved = await srv.select('emp', { q: `emp_no:${newNo}` });
  assert.equal(moved.response.numFound, 1);
});

test('duplicates and replays of older commitTs at higher offsets change nothing', async () => {
  // One document changed 20 times, then its 19 superseded messages replayed: all must be skipped.
  const from = cdc.sent.length;
  for (let i = 0; i < 20; i++) await cdc.update(10004, { last_name: `Version${i}` });
  assert.deepEqual(await waitUntilEqual(diff), []);
  const superseded = cdc.sent.slice(from, from + 19);
  const before = await incrStatus();
  await cdc.replay(superseded);
  // And plain duplicates of a large slice of history (equal commitTs: re-applied, same content).
  await cdc.replay(cdc.sent.slice(0, 1500));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await incrStatus();
    if (s.applied + s.skipped - (before.applied + before.skipped) >= 1519) break;
    assert.ok(Date.now() < deadline, `replays not consumed: ${JSON.stringify({ applied: s.applied, skipped: s.skipped })}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual((await diff()).slice(0, 5), []);
  const doc = await srv.select('emp', { q: 'emp_no:10004', fl: 'last_name' });
  assert.equal(doc.response.docs[0].last_name, 'Version19', 'the newest version stays');
  const s = await incrStatus();
  assert.ok(s.skipped - before.skipped >= 19, `superseded replays were skipped by version (${s.skipped - before.skipped})`);
});

test('one bad message goes to the dead letters, is shown in status, and the channel goes on', async () => {
  await kafka.produce(TOPIC, [{ value: '{"this is": not json', partition: 3 }, { value: '{"type":"INSERT","database":"employees","table":"employess"}', partition: 3 }]);
  await randomChange(5000);
  const d = await waitUntilEqual(diff);
  assert.deepEqual(d, []);
  const s = await incrStatus();
  assert.ok(s.dead_letters >= 1, 'dead letter recorded');
  assert.match(s.recent_dead_letters[0].reason, /.+/);
  assert.equal(s.state, 'running');
});

test('do_fullbuild while changes keep flowing: the new generation is caught up, swapped in, and equals the table', async () => {
  let stop = false;
  const writer = (async () => {
    for (let i = 6000; !stop; i++) await randomChange(i);
  })();
  const r = await srv.admin('do_fullbuild', { indexName: 'emp' });
  assert.equal(r.success, true, r.errormsg.join());
  const t = await srv.waitForTask(r.bizresult.taskid, 120_000);
  stop = true;
  await writer;
  assert.equal(t.faild, false, t.errs);
  assert.match(t.logs, /indexBackflow: caught up/);
  const d = await waitUntilEqual(diff);
  assert.deepEqual(d.slice(0, 5), [], `${d.length} differences`);
  assert.equal((await incrStatus()).state, 'running');
});

test('a DDL on an indexed column marks the index as needing a rebuild', async () => {
  await cdc.ddl('ALTER TABLE employees.employess MODIFY COLUMN last_name VARCHAR(40)');
  for (let i = 0; i < 100; i++) {
    const s = await incrStatus();
    if (s.rebuild_needed) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const s = await incrStatus();
  assert.match(String(s.rebuild_needed), /last_name/);
  assert.equal(s.ddl[0].affectsIndex, true);
  const st = await srv.admin('do_get_index_status', { indexName: 'emp' });
  assert.match(String(st.bizresult.rebuild_needed), /ALTER TABLE/);
});

test('broker down: status says retrying and why; when it returns, nothing is lost', async () => {
  await kafka.command('down 1');
  try {
    let s = await incrStatus();
    for (let i = 0; i < 150 && s.state !== 'retrying'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      s = await incrStatus();
    }
    assert.equal(s.state, 'retrying', `state while the broker is down: ${s.state}`);
    assert.ok(s.reason, 'a reason is given');
  } finally {
    await kafka.command('up 1');
  }
  for (let i = 0; i < 50; i++) await randomChange(8000 + i);
  const d = await waitUntilEqual(diff, 60_000);
  assert.deepEqual(d.slice(0, 5), []);
  assert.equal((await incrStatus()).state, 'running');
});

test('do_create_incr refuses a second channel; do_delete_index stops the consumer', async () => {
  const r = await srv.admin('do_create_incr', { indexName: 'emp', incr: { plugin: 'TiCDC-Kafka', mqAddress: kafka.brokers, topic: TOPIC, groupId: 'g2' } });
  assert.equal(r.success, false);
  assert.equal(r.errorcode, 'INCR_EXISTS');
  const del = await srv.admin('do_delete_index', { indexName: 'emp' });
  assert.equal(del.success, true, del.errormsg.join());
  assert.equal(srv.app.channels.isRunning('emp'), false);
});
