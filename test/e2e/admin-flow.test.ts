// The whole admin flow through HTTP against a real MariaDB: create → poll → status → select →
// fullbuild while querying → delete → re-create, on 100k rows of Chinese and Western text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startMariaDb, type MariaDb } from '../support/index.js';
import { createEmployeesTable } from '../support/employees-data.js';
import { freePort } from '../support/free-port.js';
import { startServer, type InProcessServer } from './helpers/server.js';

const ROWS = 100_000;
let db: MariaDb;
let srv: InProcessServer;

function body(o: Record<string, unknown> = {}) {
  return {
    datasource: { plugin: 'MySQL', host: db.host, port: db.port, user: 'root', password: '', dbName: 'employees' },
    table: 'employess',
    indexName: 'employess',
    columns: [
      { name: 'emp_no', token: 'string', search: true },
      { name: 'first_name', token: 'string', search: true },
      { name: 'last_name', token: 'standard', search: true },
      { name: 'gender', token: 'string', search: true },
      { name: 'birth_date', search: true },
      { name: 'hire_date', search: true },
      { name: 'salary', search: true },
      { name: 'bio', token: 'ik', search: true },
    ],
    ...o,
  };
}

before(async () => {
  db = await startMariaDb();
  await createEmployeesTable(db.pool, { rows: ROWS });
  // Lists for terms in more than 20k of the 100k documents (the default, 50k, would give this table few).
  srv = await startServer({ env: { TIDESEARCH_TOPK_MIN_DOCS: '20000' } });
});

after(async () => {
  await srv?.close();
  await db?.stop();
});

test('create answers at once, the task walks dump → join → indexBuild → indexBackflow, and completes', async () => {
  const r = await srv.admin('do_create', body());
  assert.equal(r.success, true, r.errormsg.join());
  assert.deepEqual(r.errormsg, []);
  const taskid = r.bizresult.taskid;
  assert.equal(typeof taskid, 'number');
  const seen: string[] = [];
  const final = await srv.waitForTask(taskid, 180_000, (b) => {
    if (seen.at(-1) !== b.stage) seen.push(b.stage);
  });
  assert.equal(final.complete, true);
  assert.equal(final.faild, false, final.errs);
  assert.equal(final.errs, '');
  const order = ['dump', 'join', 'indexBuild', 'indexBackflow'];
  assert.deepEqual(seen, [...seen].sort((a, b) => order.indexOf(a) - order.indexOf(b)), `stages out of order: ${seen}`);
  assert.equal(seen.at(-1), 'indexBackflow');
  assert.match(final.logs, /dump: \d+ rows in \d+ ms/);
  assert.match(final.logs, /rows\/s/);
  assert.equal(final.progress.dump.rowsDone, ROWS);
  assert.equal(final.percent, 100);
  assert.ok(!final.logs.includes('password":"') || final.logs.includes('"password":""'), 'no password in logs');
});

test('index status shows the row count, the build time, and no incremental channel', async () => {
  const r = await srv.admin('do_get_index_status', { indexName: 'employess' });
  assert.equal(r.success, true, r.errormsg.join());
  const [{ n }] = await db.query<any[]>('SELECT COUNT(*) AS n FROM employees.employess');
  assert.equal(r.bizresult.doc_num, Number(n));
  assert.match(r.bizresult.latest_fullbuild_time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.equal(r.bizresult.incr_ready, false);
  // The top-K lists of frequent terms are ranked after the build went live, and that shows.
  let topk = r.bizresult.topk;
  for (let i = 0; i < 120 && topk.pending > 0; i++) {
    await new Promise((res) => setTimeout(res, 250));
    topk = (await srv.admin('do_get_index_status', { indexName: 'employess' })).bizresult.topk;
  }
  assert.equal(topk.pending, 0, 'every planned top-K list is ranked');
  assert.ok(topk.ranked > 0, 'terms in more than 20k of 100k documents have lists');
  const task = await srv.admin('do_get_task_status', { taskid: r.bizresult.last_taskid, log: true });
  assert.match(task.bizresult.logs, new RegExp(`top-K: ranked ${topk.ranked} lists of frequent terms in \\d+ ms after generation \\d+ went live`));
});

test('select answers in Solr layout; values are exact (decimals, dates, NULLs)', async () => {
  const all = await srv.select('employess', { q: '*:*', rows: '0' });
  assert.equal(all.responseHeader.status, 0);
  assert.equal(all.response.numFound, ROWS);

  const [row] = await db.query<any[]>(
    "SELECT emp_no, first_name, last_name, gender, CAST(salary AS CHAR) AS salary, DATE_FORMAT(birth_date, '%Y-%m-%dT00:00:00Z') AS birth, bio FROM employees.employess WHERE salary IS NOT NULL AND bio IS NULL LIMIT 1",
  );
  const one = await srv.select('employess', { q: `emp_no:${row.emp_no}` });
  assert.equal(one.response.numFound, 1);
  const doc = one.response.docs[0];
  assert.equal(String(doc.emp_no), String(row.emp_no));
  assert.equal(doc.first_name, row.first_name);
  assert.equal(doc.salary, row.salary, 'DECIMAL kept exact as text');
  assert.equal(doc.birth_date, row.birth);
  assert.ok(doc.bio === undefined || doc.bio === null, 'NULL bio is absent or null');

  const top = await srv.select('employess', { q: '*:*', sort: 'emp_no desc', rows: '5', start: '2', fl: 'emp_no' });
  const want = await db.query<any[]>('SELECT emp_no FROM employees.employess ORDER BY emp_no DESC LIMIT 5 OFFSET 2');
  assert.deepEqual(top.response.docs.map((d: any) => String(d.emp_no)), want.map((w) => String(w.emp_no)));
  assert.deepEqual(Object.keys(top.response.docs[0]), ['emp_no'], 'fl limits the fields');
  assert.equal(top.response.start, 2);
});

test('a bare English word finds exactly the rows whose bio contains it as a word', async () => {
  const [{ word }] = await db.query<any[]>(
    "SELECT LOWER(REGEXP_SUBSTR(bio, '\\\\b[A-Za-z]{6,}\\\\b')) AS word FROM employees.employess WHERE bio IS NOT NULL AND emp_no = 10005",
  );
  assert.ok(word, 'fixture has an English word');
  const [{ n }] = await db.query<any[]>(`SELECT COUNT(*) AS n FROM employees.employess WHERE bio REGEXP ?`, [`(^|[^A-Za-z0-9])${word}([^A-Za-z0-9]|$)`]);
  const r = await srv.select('employess', { q: word, rows: '3' });
  assert.equal(r.response.numFound, Number(n), `hits for '${word}'`);
  assert.ok(Number(n) > 0);
});

test('fullbuild rebuilds into a new generation while queries keep answering; a second one is refused', async () => {
  await db.exec("UPDATE employees.employess SET last_name = 'Rebuiltname' WHERE emp_no BETWEEN 10001 AND 10010");
  const before = await srv.select('employess', { q: 'last_name:rebuiltname', rows: '0' });
  assert.equal(before.response.numFound, 0);

  const r = await srv.admin('do_fullbuild', { indexName: 'employess' });
  assert.equal(r.success, true, r.errormsg.join());
  const again = await srv.admin('do_fullbuild', { indexName: 'employess' });
  assert.equal(again.success, false);
  assert.equal(again.errorcode, 'TASK_RUNNING');
  assert.match(again.errormsg[0]!, /already has a build running/);

  let queries = 0;
  let done = false;
  const querying = (async () => {
    while (!done) {
      const q = await srv.select('employess', { q: '*:*', rows: '1' });
      assert.equal(q.response.numFound, ROWS, 'every query during the rebuild sees a whole generation');
      queries++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const final = await srv.waitForTask(r.bizresult.taskid, 180_000);
  done = true;
  await querying;
  assert.equal(final.faild, false, final.errs);
  assert.ok(queries > 3, `queries ran during the rebuild (${queries})`);
  const afterQ = await srv.select('employess', { q: 'last_name:rebuiltname', rows: '0' });
  assert.equal(afterQ.response.numFound, 10);
  const gens = srv.app.catalog.generations('employess');
  assert.deepEqual(gens.map((g) => g.state), ['live'], 'the old generation is retired and removed');
  assert.equal(gens[0]!.gen, 2);
});

test('validation errors name the field, and passwords never come back', async () => {
  const unused = await freePort();
  const cases: [Record<string, unknown>, string, RegExp, string][] = [
    [{ datasource: { plugin: 'MySQL', host: '127.0.0.1', port: unused, user: 'root', password: 'S3cret!', dbName: 'employees' } }, 'SOURCE_UNREACHABLE', new RegExp(`127\\.0\\.0\\.1:${unused}`), 'datasource.'],
    [{ datasource: { plugin: 'MySQL', host: db.host, port: db.port, user: 'root', password: '', dbName: 'nope' } }, 'DATABASE_NOT_FOUND', /nope/, 'datasource.dbName'],
    [{ table: 'no_such_table', indexName: 'x1' }, 'TABLE_NOT_FOUND', /no_such_table/, 'table'],
    [{ indexName: 'x2', columns: [{ name: 'emp_no' }, { name: 'nickname', token: 'ik' }] }, 'COLUMN_NOT_FOUND', /nickname/, 'columns[1].name'],
    [{ indexName: 'employess' }, 'INDEX_EXISTS', /already exists/, 'indexName'],
  ];
  for (const [patch, code, msg, field] of cases) {
    const r = await srv.admin('do_create', body({ indexName: 'fresh_one', ...patch }));
    assert.equal(r.success, false, `${code}: expected failure`);
    assert.equal(r.errorcode, code, JSON.stringify(r));
    assert.match(r.errormsg[0]!, msg);
    assert.ok(r.errorfields?.[0]?.name.startsWith(field), `${code}: field ${r.errorfields?.[0]?.name} should start with ${field}`);
    assert.ok(!JSON.stringify(r).includes('S3cret!'), 'password not echoed');
  }
  await db.exec('CREATE TABLE employees.nokey (a INT, b TEXT)');
  const nk = await srv.admin('do_create', body({ indexName: 'nk', table: 'nokey', columns: [{ name: 'b', token: 'ik' }] }));
  assert.equal(nk.errorcode, 'NO_PRIMARY_KEY');
  assert.equal(nk.errorfields?.[0]?.name, 'table');
  const bad = await srv.admin('do_create', body({ indexName: 'bad-name' }));
  assert.equal(bad.errorfields?.[0]?.name, 'indexName');
  const unknown = await srv.admin('do_frobnicate', {});
  assert.equal(unknown.errorcode, 'UNKNOWN_METHOD');
  assert.match(unknown.errormsg[0]!, /do_create/);
  const notJson = await srv.admin('do_get_index_status', '{ indexName: "employess" # comment\n}', { raw: true });
  assert.equal(notJson.success, false);
  assert.match(notJson.errormsg[0]!, /`#` comments/);
});

test('hostile table and column names are quoted, never executed', async () => {
  await db.exec("CREATE TABLE employees.`evil``; DROP TABLE employess; --` (id INT PRIMARY KEY, `na``me; --` TEXT)");
  await db.exec("INSERT INTO employees.`evil``; DROP TABLE employess; --` VALUES (1, 'hello world'), (2, 'second row')");
  const r = await srv.admin('do_create', body({ indexName: 'evil', table: 'evil`; DROP TABLE employess; --', columns: [{ name: 'id' }, { name: 'na`me; --', token: 'standard' }] }));
  assert.equal(r.success, true, r.errormsg.join());
  const t = await srv.waitForTask(r.bizresult.taskid);
  assert.equal(t.faild, false, t.errs);
  const [{ n }] = await db.query<any[]>('SELECT COUNT(*) AS n FROM employees.employess');
  assert.equal(Number(n), ROWS, 'the employess table survived');
  const s = await srv.select('evil', { q: 'hello' });
  assert.equal(s.response.numFound, 1);
});

test('delete removes the index and its files; the name can be reused', async () => {
  const idxDir = path.join(srv.dataDir, 'indexes', 'evil');
  assert.ok(existsSync(idxDir));
  const r = await srv.admin('do_delete_index', { indexName: 'evil' });
  assert.equal(r.success, true, r.errormsg.join());
  assert.ok(!existsSync(idxDir), 'files removed');
  const st = await srv.admin('do_get_index_status', { indexName: 'evil' });
  assert.equal(st.errorcode, 'INDEX_NOT_FOUND');
  const gone = await fetch(`${srv.url}/solr/evil/select?q=*:*&wt=json`);
  assert.equal(gone.status, 404);
  const again = await srv.admin('do_create', body({ indexName: 'evil', table: 'evil`; DROP TABLE employess; --', columns: [{ name: 'id' }] }));
  assert.equal(again.success, true, again.errormsg.join());
  assert.equal((await srv.waitForTask(again.bizresult.taskid)).faild, false);
  const del = await srv.admin('do_delete_index', { indexName: 'nonexistent' });
  assert.equal(del.success, false);
  assert.equal(del.errorcode, 'INDEX_NOT_FOUND');
});

test('with TIDESEARCH_TOKEN set, admin calls without it are refused', async () => {
  await using s = await startServer({ env: { TIDESEARCH_TOKEN: 'tok-123' } });
  const no = await s.admin('list_indexes', {}, { token: 'wrong' });
  assert.equal(no.success, false);
  assert.equal(no.errorcode, 'UNAUTHORIZED');
  const yes = await s.admin('list_indexes', {});
  assert.equal(yes.success, true);
});
