// The console's channel view in headless Chromium: a real MariaDB, TiCDC canal-json messages on a
// Kafka-protocol broker, and the index page showing the running channel, positions per partition, the
// events/lag chart, a recorded DDL and a dead letter; /metrics shows the same activity.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startKafka, startMariaDb, type Kafka, type MariaDb } from '../support/index.js';
import { createEmployeesTable } from '../support/employees-data.js';
import { repoRoot } from '../support/repo-root.js';
import { startServer, type InProcessServer } from './helpers/server.js';
import { CdcProducer } from './helpers/cdc-producer.js';

const ROWS = 500;
const TOPIC = 'cdc_console';
const PARTITIONS = 8;
const artifacts = path.join(repoRoot, 'test-artifacts');
let db: MariaDb;
let kafka: Kafka;
let srv: InProcessServer;
let cdc: CdcProducer;
let context: BrowserContext | undefined;
let page: Page;
let userDataDir: string;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  db = await startMariaDb();
  await createEmployeesTable(db.pool, { rows: ROWS });
  kafka = await startKafka();
  await kafka.createTopic(TOPIC, PARTITIONS);
  cdc = await CdcProducer.create(db, kafka, TOPIC, PARTITIONS, 'employees', 'employess');
  srv = await startServer();
  userDataDir = mkdtempSync(path.join(tmpdir(), 'tidesearch-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
});

after(async () => {
  await context?.close();
  await srv?.close();
  await kafka?.stop();
  await db?.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('the index page shows the live channel: state, positions, chart, DDL and dead letters', async () => {
  const r = await srv.admin('do_create', {
    datasource: { plugin: 'MySQL', host: db.host, port: db.port, user: 'root', password: '', dbName: 'employees' },
    table: 'employess',
    indexName: 'live',
    columns: [{ name: 'emp_no' }, { name: 'last_name', token: 'standard' }, { name: 'gender', token: 'string' }],
    incr: { plugin: 'TiCDC-Kafka', mqAddress: kafka.brokers, topic: TOPIC, groupId: 'console-test', offsetResetStrategy: 'earliest', protocol: 'canal-json', maxWaitMs: 100 },
  });
  assert.equal(r.success, true, r.errormsg.join());
  const task = await srv.waitForTask(r.bizresult.taskid, 120_000);
  assert.equal(task.faild, false, task.errs);

  for (let i = 0; i < 60; i++) await cdc.update(10001 + i, { last_name: `Renamed${i}` });
  await cdc.ddl('ALTER TABLE employees.employess ADD COLUMN nickname VARCHAR(20) NULL');
  await kafka.produce(TOPIC, [{ value: 'this is not a TiCDC message', partition: 0 }]);

  // Wait (through the API) until the channel has applied the updates, then look at the page.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = (await srv.admin('do_get_incr_status', { indexName: 'live' })).bizresult;
    if (s.applied >= 60 && s.dead_letters >= 1 && s.ddl.length >= 1) break;
    if (Date.now() > deadline) throw new Error(`channel did not catch up: ${JSON.stringify(s)}`);
    await new Promise((res) => setTimeout(res, 200));
  }

  await page.goto(`${srv.url}/#/index/live`);
  const panel = page.locator('section.panel', { hasText: 'Incremental channel' });
  await panel.locator('.badge-ok', { hasText: 'running' }).waitFor();
  // One position row per partition of the topic.
  await panel.locator('table.list tbody tr', { hasText: `${TOPIC}-7` }).waitFor();
  assert.equal(await panel.locator('table.list').first().locator('tbody tr').count(), PARTITIONS);
  const traffic = await panel.locator('p', { hasText: 'events in the last 60 s' }).innerText();
  assert.ok(Number(/(\d+) events in the last 60 s/.exec(traffic)![1]) >= 60, traffic);
  // The events/s chart has a line (or a single dot) drawn from the server's history.
  await panel.locator('figure.spark').first().locator('path.spark-line, circle.spark-dot').first().waitFor();
  assert.match(await panel.locator('figure.spark').first().innerText(), /Applied events\/s: [\d.]+/);
  assert.match(await panel.innerText(), /ADD COLUMN nickname/);
  assert.match(await panel.innerText(), /Dead letters \(1\)/);
  assert.match(await panel.innerText(), new RegExp(`${TOPIC}-0`));
  await page.screenshot({ path: path.join(artifacts, 'console-channel.png'), fullPage: true });

  await page.goto(`${srv.url}/#/`);
  const row = page.locator('tr[data-index=live]');
  await row.waitFor();
  assert.match(await row.innerText(), /running/);
  assert.match(await row.innerText(), /\d+(\.\d)? (ms|s)/, 'lag shown');

  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /^tidesearch_channel_events_total\{index="live",outcome="applied"\} ([6-9]\d|\d{3,})$/m);
  assert.match(metrics, /^tidesearch_channel_events_total\{index="live",outcome="rejected"\} [1-9]\d*$/m);
  assert.match(metrics, /^tidesearch_channel_state\{index="live",state="running"\} 1$/m);
  assert.match(metrics, new RegExp(`^tidesearch_channel_position\\{index="live",topic="${TOPIC}",partition="0"\\} [1-9]\\d*$`, 'm'));
  assert.match(metrics, /^tidesearch_channel_lag_seconds\{index="live"\} [\d.e-]+$/m);
});
