// The web console in real headless Chromium against the real server and a real MariaDB: token prompt,
// create an index through the form (validation errors shown next to their fields), watch every stage bar
// reach 100%, search with highlighting and a facet, delete. Screenshots go to test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startMariaDb, type MariaDb } from '../support/index.js';
import { createEmployeesTable } from '../support/employees-data.js';
import { repoRoot } from '../support/repo-root.js';
import { startServer, type InProcessServer } from './helpers/server.js';

const ROWS = 1_000;
const TOKEN = 'console-secret';
const artifacts = path.join(repoRoot, 'test-artifacts');
let db: MariaDb;
let srv: InProcessServer;
let page: Page;
let context: BrowserContext | undefined;
let userDataDir: string;
const pageErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `console-${name}.png`), fullPage: true });

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  db = await startMariaDb();
  await createEmployeesTable(db.pool, { rows: ROWS });
  srv = await startServer({ env: { TIDESEARCH_TOKEN: TOKEN } });
  userDataDir = mkdtempSync(path.join(tmpdir(), 'tidesearch-chromium-'));
  // A persistent context is the only way to pass a fresh user-data-dir; it is also the page's browser.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(async () => {
  await context?.close();
  await srv?.close();
  await db?.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('the page is small and asks for the admin token once', async () => {
  const html = await fetch(`${srv.url}/`);
  assert.equal(html.status, 200);
  const js = await fetch(`${srv.url}/console/app.js`);
  const css = await fetch(`${srv.url}/console/app.css`);
  const bytes = (await html.text()).length + (await js.text()).length + (await css.text()).length;
  assert.ok(bytes < 200 * 1024, `console weighs ${bytes} bytes`);

  await page.goto(`${srv.url}/`);
  await page.getByRole('dialog', { name: 'admin token' }).or(page.locator('form[aria-label="admin token"]')).waitFor();
  await shot('token');
  await page.fill('input[name=token]', TOKEN);
  await page.click('form[aria-label="admin token"] button[type=submit]');
  await page.getByText('No index yet').waitFor();
  assert.equal(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('tidesearch.token')), TOKEN);
  // A reload keeps the token: no dialog again.
  await page.reload();
  await page.getByText('No index yet').waitFor();
  assert.equal(await page.locator('form[aria-label="admin token"]').count(), 0);
});

test('create index through the form: errors next to fields, then the build reaches 100% on every stage', async () => {
  await page.click('a.button:has-text("Create index")');
  await page.click('button[name=create]');
  // Checks done in the browser, shown beside their fields.
  assert.match(await page.locator('[data-error-for="indexName"]').innerText(), /required/);
  assert.match(await page.locator('[data-error-for="table"]').innerText(), /required/);

  await page.fill('input[name=indexName]', 'staff');
  await page.fill('input[name=table]', 'employess');
  await page.fill('input[name="datasource.port"]', String(db.port));
  await page.fill('input[name="datasource.dbName"]', 'employees');
  await page.fill('input[name="columns[0].name"]', 'emp_no');
  const addColumn = async (i: number, name: string, token: string) => {
    await page.click('button[name=add-column]');
    await page.fill(`input[name="columns[${i}].name"]`, name);
    await page.selectOption(`select[name="columns[${i}].token"]`, token);
  };
  await addColumn(1, 'last_name', 'standard');
  await addColumn(2, 'gender', 'string');
  await addColumn(3, 'bio', 'ik');
  await addColumn(4, 'no_such_column', 'string');
  await page.click('button[name=create]');
  // The server's errorfields land next to the column it names.
  const serverError = page.locator('[data-error-for="columns[4].name"]');
  await serverError.waitFor();
  assert.match(await serverError.innerText(), /no_such_column/);
  await shot('create-errors');

  await page.click('button[aria-label="remove column 4"]');
  await page.click('button[name=create]');
  await page.waitForURL(/#\/index\/staff\?task=\d+$/);
  const taskid = Number(/task=(\d+)/.exec(page.url())![1]);
  assert.ok(taskid > 0);

  // Each stage's bar reaches 100% and the task says complete.
  await page.locator(`[data-task="${taskid}"] .task-complete`).waitFor({ timeout: 120_000 });
  for (const stage of ['dump', 'join', 'indexBuild', 'indexBackflow']) {
    assert.equal(await page.locator(`[role=progressbar][aria-label=${stage}]`).getAttribute('aria-valuenow'), '100', stage);
  }
  assert.match(await page.locator('.stage[data-stage=dump] .stage-info').innerText(), /100% · 1000 of 1000 rows/);
  assert.match(await page.locator('pre.log').innerText(), /rows/);
  await page.locator('dd[data-field=doc_num]', { hasText: String(ROWS) }).waitFor();
  // 1000 rows hold no term in 50k documents: no lists, and the console says so.
  assert.equal(await page.locator('dd[data-field=topk]').innerText(), '0 ranked · 0 pending · 0 retired');
  await shot('index-page');

  await page.click('header a:has-text("Indexes")');
  const row = page.locator('tr[data-index=staff]');
  await row.waitFor();
  assert.equal(await row.locator('[data-field=doc_num]').innerText(), String(ROWS));
  assert.match(await row.innerText(), /employees\.employess/);
  assert.match(await row.innerText(), /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  await shot('index-list');
});

test('search shows highlighted hits, a facet and the curl line', async () => {
  const [{ last_name: name }] = await db.query<[{ last_name: string }]>('SELECT last_name FROM employees.employess WHERE last_name IS NOT NULL LIMIT 1');
  const [{ n }] = await db.query<[{ n: number }]>('SELECT COUNT(*) AS n FROM employees.employess WHERE last_name = ?', [name]);
  await page.goto(`${srv.url}/#/search/staff`);
  await page.locator('select[name=facet] option[value=gender]').waitFor({ state: 'attached' });
  await page.fill('input[name=q]', `last_name:${name}`);
  await page.selectOption('select[name=facet]', 'gender');
  await page.click('form.search button[type=submit]');
  await page.locator('p.found').waitFor();
  assert.equal(await page.locator('p.found b').innerText(), String(n));
  assert.ok((await page.locator('li.doc mark').count()) > 0, 'highlighted terms');
  assert.match((await page.locator('li.doc mark').first().innerText()).toLowerCase(), new RegExp(name.toLowerCase()));
  const facetTotal = (await page.locator('aside.facets li b').allInnerTexts()).reduce((a, b) => a + Number(b), 0);
  assert.equal(facetTotal, Number(n));
  const curl = await page.locator('pre.curl').innerText();
  assert.ok(curl.startsWith(`curl '${srv.url}/solr/staff/select?`), curl);
  assert.ok(curl.includes('facet.field=gender'));
  await shot('search');

  // The curl line is the real query: run it and get the same count.
  const res = (await (await fetch(curl.slice(6, -1))).json()) as { response: { numFound: number } };
  assert.equal(res.response.numFound, Number(n));
});

test('rebuild asks for confirmation and follows the new task to completion', async () => {
  await page.goto(`${srv.url}/#/index/staff`);
  const before = Number(await page.locator('[data-task]').getAttribute('data-task'));
  await page.click('button:has-text("Rebuild")');
  await page.locator('[role=dialog][aria-label=Rebuild] button:has-text("Yes, rebuild")').click();
  await page.waitForURL(new RegExp(`#/index/staff\\?task=${before + 1}$`));
  await page.locator(`[data-task="${before + 1}"] .task-complete`).waitFor({ timeout: 120_000 });
  await page.locator('dd[data-field=doc_num]', { hasText: String(ROWS) }).waitFor();
});

test('delete asks for confirmation, then the index is gone', async () => {
  await page.goto(`${srv.url}/#/index/staff`);
  await page.click('button:has-text("Delete")');
  const dialog = page.locator('[role=dialog][aria-label=Delete]');
  await dialog.waitFor();
  await shot('delete-confirm');
  await dialog.locator('button:has-text("Yes, delete")').click();
  await page.waitForURL(/#\/$/);
  await page.getByText('No index yet').waitFor();
  const list = await srv.admin('list_indexes', {}, { token: TOKEN });
  assert.deepEqual(list.bizresult.indexes, []);
  assert.deepEqual(pageErrors, []);
  assert.ok(statSync(path.join(artifacts, 'console-search.png')).size > 0);
});
