// The document's exact do_create body with plugin "TiKV": PD (a real etcd holding TiDB's topology keys)
// points at a live SQL server (a throwaway MariaDB standing in for TiDB); the index builds, and with
// incr.cdcAddr the TiCDC changefeed is created at the snapshot S and removed with the index.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMariaDb, startEtcd, registerTidb, startKafka, type MariaDb, type Etcd, type Kafka } from '../support/index.js';
import { startFakeTicdc, type FakeTicdc } from '../support/fake-ticdc.js';
import { startServer, type InProcessServer } from './helpers/server.js';

let db: MariaDb | undefined;
let etcd: Etcd | undefined;
let kafka: Kafka | undefined;
let cdc: FakeTicdc | undefined;
let srv: InProcessServer | undefined;

after(async () => {
  await srv?.close();
  await cdc?.stop();
  await kafka?.stop();
  await etcd?.stop();
  await db?.stop();
});

test('the document example body (relaxed JSON, plugin TiKV, token ik on the key) builds the index', async () => {
  db = await startMariaDb();
  // A table shaped as the document's example expects it: employees.employess with an `id` key.
  await db.exec('CREATE DATABASE IF NOT EXISTS employees');
  await db.exec('CREATE TABLE employees.employess (id INT PRIMARY KEY, name VARCHAR(40), bio TEXT)');
  await db.exec("INSERT INTO employees.employess SELECT seq, CONCAT('员工', seq), CONCAT('第', seq, '位员工 joined in ', 1990 + seq % 30) FROM employees.seq_1_to_1000");
  etcd = await startEtcd();
  await registerTidb(etcd, { ip: '127.0.0.1', port: 1, statusPort: 10080, alive: false });
  await registerTidb(etcd, { ip: '127.0.0.1', port: db.port, statusPort: 10080, alive: true });
  srv = await startServer();
  // The seed document's request exactly as written there (relaxed JSON with unquoted keys, token ik on the
  // key column), with only pdAddrs pointing at our PD stand-in (the first address is down).
  const body = `{
 datasource: {
    plugin: "TiKV",
    pdAddrs: "127.0.0.1:1,${etcd.endpoint}",
    dbName: "employees"
 },
 table: "employess",
 indexName: "employess",
 columns: [
  {name:"id",token:"ik",search:true}
 ]
}`;
  const r = await srv.admin('do_create', body, { raw: true });
  assert.equal(r.success, true, r.errormsg.join());
  assert.match(r.msg.join(), /key column 'id' stays the exact document id/);
  const t = await srv.waitForTask(r.bizresult.taskid, 120_000);
  assert.equal(t.faild, false, t.errs);
  assert.match(t.logs, /snapshot S=\d+/);
  const q = await srv.select('employess', { q: '*:*', rows: '0' });
  assert.equal(q.response.numFound, 1000);
  const byId = await srv.select('employess', { q: 'id:42' });
  assert.equal(byId.response.numFound, 1);
  const st = await srv.admin('do_get_index_status', { indexName: 'employess' });
  assert.match(st.bizresult.snapshot_ts, /^\d+$/, 'S shown as a decimal string');

  // A column the table lacks is named in the answer.
  const bad = await srv.admin('do_create', body.replace('indexName: "employess"', 'indexName: "other"').replace('name:"id"', 'name:"nickname"'), { raw: true });
  assert.equal(bad.errorcode, 'COLUMN_NOT_FOUND');
  assert.equal(bad.errorfields?.[0]?.name, 'columns[0].name');
});

test('with incr.cdcAddr the changefeed starts at S and is deleted with the index', async () => {
  kafka = await startKafka();
  await kafka.createTopic('cdc_t', 2);
  cdc = await startFakeTicdc();
  const r = await srv!.admin('do_create', {
    datasource: { plugin: 'TiKV', pdAddrs: etcd!.endpoint, dbName: 'employees' },
    table: 'employess',
    indexName: 'with_cdc',
    columns: [{ name: 'id' }, { name: 'bio', token: 'ik' }],
    incr: { plugin: 'TiCDC-Kafka', mqAddress: kafka.brokers, topic: 'cdc_t', groupId: 'g', maxWaitMs: 100, cdcAddr: cdc.addr },
  });
  assert.equal(r.success, true, r.errormsg.join());
  const t = await srv!.waitForTask(r.bizresult.taskid, 120_000);
  assert.equal(t.faild, false, t.errs);
  const gens = srv!.app.catalog.generations('with_cdc');
  const S = gens.find((g) => g.state === 'live')!.snapshotTs!;
  assert.equal(cdc.changefeeds.size, 1);
  const cf = [...cdc.changefeeds.values()][0]!;
  assert.equal(cf.startTsText, S.toString(), 'changefeed start-ts is exactly S');
  assert.match(cf.sinkUri, /protocol=canal-json/);
  const del = await srv!.admin('do_delete_index', { indexName: 'with_cdc' });
  assert.equal(del.success, true, del.errormsg.join());
  assert.equal(cdc.changefeeds.size, 0, 'changefeed removed with the index');
});
