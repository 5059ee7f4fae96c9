// The CLI against the real server and MariaDB: create --wait with progress bars, status, tasks, search,
// rebuild, delete; business errors and a missing token exit 1 with the server's message; the real
// `bin/tidesearch.js` process gives the same exit codes. Also checks /metrics after that activity.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/index.js';
import { startMariaDb, type MariaDb } from '../support/index.js';
import { createEmployeesTable } from '../support/employees-data.js';
import { repoRoot } from '../support/repo-root.js';
import { startServer, type InProcessServer } from './helpers/server.js';

const ROWS = 2_000;
const TOKEN = 'cli-secret';
let db: MariaDb;
let srv: InProcessServer;
let bodyFile: string;

async function cli(argv: string[], env: Record<string, string> = { TIDESEARCH_TOKEN: TOKEN }) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(c: Buffer, _e, done) {
        append(c.toString());
        done();
      },
    });
  const code = await runCli([...argv, '--url', srv.url], { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env, pollMs: 100 });
  return { code, stdout, stderr };
}

before(async () => {
  db = await startMariaDb();
  await createEmployeesTable(db.pool, { rows: ROWS });
  srv = await startServer({ env: { TIDESEARCH_TOKEN: TOKEN } });
  bodyFile = path.join(mkdtempSync(path.join(tmpdir(), 'tidesearch-cli-e2e-')), 'body.json5');
  // The seed document's relaxed style: unquoted keys, trailing commas.
  writeFileSync(
    bodyFile,
    `{
      datasource: { plugin: "MySQL", host: "127.0.0.1", port: ${db.port}, user: "root", dbName: "employees" },
      table: "employess",
      indexName: "people",
      columns: [
        { name: "emp_no", token: "string", search: true },
        { name: "last_name", token: "standard", search: true },
        { name: "gender", token: "string", search: true },
      ],
    }`,
  );
});

after(async () => {
  await srv?.close();
  await db?.stop();
});

test('create --wait draws the stages to 100% and exits 0; status and tasks show the result', async () => {
  const created = await cli(['create', '--file', bodyFile, '--wait']);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^task (\d+) started for index people$/m);
  for (const stage of ['dump', 'join', 'indexBuild', 'indexBackflow']) {
    assert.match(created.stdout, new RegExp(`^${stage} +\\[#{24}\\] 100%`, 'm'), created.stdout);
  }
  assert.match(created.stdout, /^dump .* 2000\/2000 rows/m);
  assert.match(created.stdout, /task \d+ complete\n$/);
  const taskid = /^task (\d+) started/m.exec(created.stdout)![1]!;

  const status = await cli(['status', 'people']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`documents: +${ROWS}\\n`));
  assert.match(status.stdout, /last full build: +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  assert.match(status.stdout, /channel: +none/);

  const task = await cli(['tasks', taskid]);
  assert.equal(task.code, 0, task.stderr);
  assert.match(task.stdout, new RegExp(`task ${taskid} \\(index people\\): complete`));
  assert.match(task.stdout, /--- log ---\n[\s\S]*dump: 2000 rows/);
});

test('search prints the hit count and documents; --fq filters', async () => {
  const [{ last_name: name }] = await db.query<[{ last_name: string }]>('SELECT last_name FROM employees.employess LIMIT 1');
  const [{ n, f }] = await db.query<[{ n: number; f: number }]>("SELECT COUNT(*) AS n, SUM(gender = 'F') AS f FROM employees.employess WHERE last_name = ?", [name]);
  const all = await cli(['search', 'people', `last_name:${name}`, '--rows', '2']);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, new RegExp(`^${n} found in \\d+ ms, showing ${Math.min(2, Number(n))}\\n`));
  const filtered = await cli(['search', 'people', `last_name:${name}`, '--fq', 'gender:F', '--json']);
  assert.equal(JSON.parse(filtered.stdout).response.numFound, Number(f));
  const bad = await cli(['search', 'people', 'nosuchfield:x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: .*nosuchfield/);
});

test('business errors and a missing token exit 1 with the server message and field', async () => {
  const again = await cli(['create', '--file', bodyFile]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error: .*people.*exists/m);
  assert.match(again.stderr, /^ {2}indexName: /m);
  assert.doesNotMatch(again.stderr, /\n\s+at /);

  const noToken = await cli(['status', 'people'], {});
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /^error: .*token/m);
});

test('the real tidesearch binary: exit 0, 1 and 2', async () => {
  const run = promisify(execFile);
  const bin = path.join(repoRoot, 'bin', 'tidesearch.js');
  const env = { ...process.env, TIDESEARCH_TOKEN: TOKEN };
  const codeOf = (args: string[]) =>
    run(process.execPath, [bin, ...args], { env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  // In parallel: each start of the TypeScript entry through tsx costs seconds on a loaded machine.
  const [ok, missing, usage] = await Promise.all([
    codeOf(['status', 'people', '--url', srv.url]),
    codeOf(['status', 'missing_index', '--url', srv.url]),
    codeOf(['status']),
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`documents: +${ROWS}`));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: .*missing_index/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /expected: tidesearch status <index>/);
});

test('rebuild --wait, then delete; /metrics shows the builds and queries per index', async () => {
  const rebuilt = await cli(['rebuild', 'people', '--wait']);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.match(rebuilt.stdout, /task \d+ complete/);

  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /^tidesearch_builds_total\{index="people",result="success"\} 2$/m);
  assert.match(metrics, /^tidesearch_build_rows_total\{index="people",stage="dump"\} [1-9]\d*$/m);
  assert.match(metrics, /^tidesearch_queries_total\{index="people"\} [1-9]\d*$/m);
  assert.match(metrics, /^tidesearch_query_duration_seconds_count\{index="people"\} [1-9]\d*$/m);

  const deleted = await cli(['delete', 'people']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, 'index people deleted\n');
  const gone = await cli(['status', 'people']);
  assert.equal(gone.code, 1);
});
