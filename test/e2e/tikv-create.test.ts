// The document's exact do_create body with plugin "TiKV": PD (a real etcd holding TiDB's topology keys)
// points at a live SQL server (a throwaway MariaDB standing in for TiDB); the index builds, and with
// incr.cdcAddr the TiCDC changefeed is created at the snapshot S and removed with the index.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMariaDb, startEtcd, registerTidb, startKafka, type MariaDb, type Etcd, type Kafka } from '../support/index.js';
import { startFakeTicdc, type FakeTicdc } from '../support/fake-ticdc.js';
import { createEmployeesTable } from '../support/employees-data.js';
import { parseAdminBody } from '../../src/api/admin/body.js';
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
  await createEmployeesTable(db.pool, { rows: 1000 });
  etcd = await startEtcd();
  await registerTidb(etcd, { ip: '127.0.0.1', port: 1, statusPort: 10080, alive: false });
  await registerTidb(etcd, { ip: '127.0.0.1', port: db.port, statusPort: 10080, alive: true });
  srv = await startServer();
  // The seed document's request, as written there (unquoted keys, a full-width comma), with PD at our etcd.
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
  // The document's column "id" does not exist in this table: the error names it.
  const bad = await srv.admin('do_create', body, { raw: true });
  assert.equal(bad.success, false);
  assert.equal(bad.errorcode, 'COLUMN_NOT_FOUND');
  assert.equal(bad.errorfields?.[0]?.name, 'columns[0].name');
  const good = body.replace('{name:"id",token:"ik",search:true}', '{name:"emp_no",token:"ik",search:true}, {name:"bio",token:"ik",search:true}');
  assert.ok(parseAdminBody(good));
  const r = await srv.admin('do_create', good, { raw: true });
  assert.equal(r.success, true, r.errormsg.join());
  assert.match(r.msg.join(), /key column 'emp_no' stays the exact document id/);
  const t = await srv.waitForTask(r.bizresult.taskid, 120_000);
  assert.equal(t.faild, false, t.errs);
  assert.match(t.logs, /snapshot S=\d+/);
  const q = await srv.select('employess', { q: '*:*', rows: '0' });
  assert.equal(q.response.numFound, 1000);
  const byId = await srv.select('employess', { q: 'emp_no:10001' });
  assert.equal(byId.response.numFound, 1);
});

test('with incr.cdcAddr the changefeed starts at S and is deleted with the index', async () => {
  kafka = await startKafka();
  await kafka.createTopic('cdc_t', 2);
  cdc = await startFakeTicdc();
  const r = await srv!.admin('do_create', {
    datasource: { plugin: 'TiKV', pdAddrs: etcd!.endpoint, dbName: 'employees' },
    table: 'employess',
    indexName: 'with_cdc',
    columns: [{ name: 'emp_no' }, { name: 'last_name', token: 'standard' }],
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
