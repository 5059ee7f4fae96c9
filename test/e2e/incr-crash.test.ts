// kill -9 the server while it consumes changes, keep changing the table while it is down, restart:
// it resumes from the positions stored with the index and ends equal to the table.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMariaDb, startKafka, type MariaDb, type Kafka } from '../support/index.js';
import { createEmployeesTable } from '../support/employees-data.js';
import { startChildServer, type ChildServer } from './helpers/server.js';
import { CdcProducer } from './helpers/cdc-producer.js';
import { diffIndexWithTable, waitUntilEqual } from './helpers/compare.js';

let db: MariaDb | undefined;
let kafka: Kafka | undefined;
let server: ChildServer | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), 'tidesearch-incr-crash-'));

after(async () => {
  await server?.kill('SIGKILL');
  await kafka?.stop();
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('SIGKILL during consumption: restart resumes from stored positions, nothing missing, nothing stale', async () => {
  db = await startMariaDb();
  await createEmployeesTable(db.pool, { rows: 2000 });
  kafka = await startKafka();
  await kafka.createTopic('cdc', 8);
  const cdc = await CdcProducer.create(db, kafka, 'cdc', 8, 'employees', 'employess');
  server = await startChildServer(dataDir);
  const r = await server.admin('do_create', {
    datasource: { plugin: 'MySQL', host: db.host, port: db.port, user: 'root', password: '', dbName: 'employees' },
    table: 'employess',
    indexName: 'emp',
    columns: [{ name: 'emp_no' }, { name: 'last_name', token: 'standard' }, { name: 'salary' }, { name: 'bio', token: 'ik' }],
    incr: { plugin: 'TiCDC-Kafka', mqAddress: kafka.brokers, topic: 'cdc', groupId: 'crash-test', protocol: 'canal-json', maxWaitMs: 100 },
  });
  assert.equal(r.success, true, r.errormsg.join());
  assert.equal((await server.waitForTask(r.bizresult.taskid, 120_000)).faild, false);

  const change = (i: number) => {
    const key = 10001 + ((i * 7919) % 2000);
    if (i % 5 === 0) return cdc.delete(key);
    return cdc.update(key, { last_name: `Crash${i}`, salary: `${i}.25`, bio: `崩溃测试 ${i} crash test` });
  };
  let i = 0;
  for (; i < 600; i++) await change(i);
  // Kill while the channel is in the middle of applying.
  await server.kill('SIGKILL');
  for (; i < 1200; i++) await change(i);

  server = await startChildServer(dataDir);
  const diff = () =>
    diffIndexWithTable(server!, 'emp', db!.pool, {
      db: 'employees',
      table: 'employess',
      key: 'emp_no',
      fields: { emp_no: 'integer', last_name: 'string', salary: 'decimal', bio: 'string' },
    });
  const d = await waitUntilEqual(diff, 60_000);
  assert.deepEqual(d.slice(0, 5), [], `${d.length} differences after restart`);
  const s = await server.admin('do_get_incr_status', { indexName: 'emp' });
  assert.equal(s.bizresult.state, 'running');
  await server.kill('SIGTERM');
  server = undefined;
});
