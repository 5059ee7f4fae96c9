// The CLI against a scripted admin server: what the user sees on stdout/stderr and the exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/index.js';
import { fail, ok, startFakeServer } from './fake-admin-server.js';
import { freePort } from '../../support/free-port.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(c: Buffer, _e, done) {
        text += c.toString();
        done();
      },
    }),
    text: () => text,
  };
}

async function run(argv: string[], env: Record<string, string> = {}) {
  const out = sink();
  const err = sink();
  const code = await runCli(argv, { stdout: out.stream, stderr: err.stream, env, pollMs: 5 });
  return { code, stdout: out.text(), stderr: err.text() };
}

const bodyFile = (content: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-cli-'));
  writeFileSync(join(dir, 'body.json5'), content);
  return join(dir, 'body.json5');
};

test('create --wait polls the task and draws one bar per stage until complete', async () => {
  let polls = 0;
  await using server = await startFakeServer((r) => {
    if (r.emethod === 'do_create') return ok({ taskid: 9 });
    if (r.emethod === 'do_get_task_status') {
      polls++;
      const t0 = Date.now() - 2000;
      return polls < 3
        ? ok({ taskid: 9, complete: false, faild: false, stage: 'dump', errs: '', progress: { dump: { rowsDone: 500, rowsTotal: 1000, startedAt: t0 } } })
        : ok({ taskid: 9, complete: true, faild: false, stage: 'indexBackflow', errs: '', progress: { dump: { rowsDone: 1000, rowsTotal: 1000, startedAt: t0, finishedAt: t0 + 1000 } } });
    }
    return undefined;
  });
  // JSON5 with unquoted keys, as the seed document writes bodies.
  const file = bodyFile('{indexName: "emp", table: "employees", datasource: {plugin: "MySQL"}, columns: [{name: "id", token: "string", search: true}]}');
  const res = await run(['create', '--file', file, '--wait', '--url', server.url, '--token', 's3'], {});
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /task 9 started for index emp/);
  assert.match(res.stdout, /^dump +\[#{12}-{12}\]  50%  500\/1000 rows  2\d\d rows\/s  [23]s left$/m);
  assert.match(res.stdout, /^indexBackflow +\[#{24}\] 100%  done$/m);
  assert.match(res.stdout, /task 9 complete/);
  assert.deepEqual((server.requests[0]!.body as { columns: unknown[] }).columns, [{ name: 'id', token: 'string', search: true }]);
  assert.equal(server.requests[0]!.authorization, 'Bearer s3');
});

test('a business error prints errormsg and errorfields and exits 1, without a stack trace', async () => {
  await using server = await startFakeServer(() => fail(["unknown token 'ikk'"], [{ name: 'columns[2].token', content: "unknown token 'ikk'; expected one of ik, like" }]));
  const res = await run(['create', '--file', bodyFile('{"indexName":"x"}'), '--url', server.url]);
  assert.equal(res.code, 1);
  assert.equal(res.stderr, "error: unknown token 'ikk'\n  columns[2].token: unknown token 'ikk'; expected one of ik, like\n");
  assert.doesNotMatch(res.stderr, /at .*\.ts/);
});

test('a failed task exits 1 with its errs', async () => {
  await using server = await startFakeServer((r) =>
    r.emethod === 'do_fullbuild' ? ok({ taskid: 4 }) : ok({ taskid: 4, complete: false, faild: true, stage: 'dump', errs: 'table gone' }),
  );
  const res = await run(['rebuild', 'emp', '--wait', '--url', server.url]);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /^dump .*FAILED$/m);
  assert.match(res.stderr, /task 4 failed: table gone/);
});

test('rebuild without --wait prints the task id; token comes from TIDESEARCH_TOKEN', async () => {
  await using server = await startFakeServer(() => ok({ taskid: 12 }));
  const res = await run(['rebuild', 'emp', '--url', server.url], { TIDESEARCH_TOKEN: 'envtok' });
  assert.equal(res.code, 0);
  assert.equal(res.stdout, 'task 12 started for index emp; follow it with: tidesearch tasks 12\n');
  assert.deepEqual(server.requests[0]!.body, { indexName: 'emp' });
  assert.equal(server.requests[0]!.authorization, 'Bearer envtok');
});

test('status shows documents, build time, channel, lag and positions', async () => {
  await using server = await startFakeServer((r) =>
    r.emethod === 'do_get_index_status'
      ? ok({ doc_num: 1234, latest_fullbuild_time: '2026-11-29 10:00:00', incr_ready: true })
      : ok({ current_cursor: [{ mqName: 'cdc-0', cursor: 77 }], last_60_sec: 20, lag_ms: 1500, state: 'running' }),
  );
  const res = await run(['status', 'emp', '--url', server.url]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /documents: +1234/);
  assert.match(res.stdout, /last full build: +2026-11-29 10:00:00/);
  assert.match(res.stdout, /channel: +running/);
  assert.match(res.stdout, /lag: +1\.5s/);
  assert.match(res.stdout, /last 60 s: +20 events/);
  assert.match(res.stdout, /position: +cdc-0 @ 77/);
});

test('tasks shows the state and the log', async () => {
  await using server = await startFakeServer(() => ok({ taskid: 3, complete: true, faild: false, stage: 'indexBackflow', errs: '', logs: 'dump: 10 rows\nswapped in gen 2' }));
  const res = await run(['tasks', '3', '--url', server.url]);
  assert.equal(res.code, 0);
  assert.match(res.stdout, /task 3: complete, stage indexBackflow/);
  assert.match(res.stdout, /swapped in gen 2\n$/);
  assert.deepEqual(server.requests[0]!.body, { taskid: 3, log: true });
});

test('search sends q, rows and fq and prints hits; a Solr error exits 1', async () => {
  await using server = await startFakeServer((r) => {
    const url = new URL(r.url, 'http://x');
    if (url.searchParams.get('q') === 'bad:(') return { status: 400, json: { responseHeader: { status: 400 }, error: { msg: "syntax error at 5: expected ')'", code: 400 } } };
    return { json: { responseHeader: { status: 0, QTime: 2 }, response: { numFound: 42, start: 0, docs: [{ id: '1', name: 'Ann' }] } } };
  });
  const res = await run(['search', 'emp', 'name:ann', '--rows', '1', '--fq', 'dept:d1', '--fq', 'age:[1 TO 9]', '--url', server.url]);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, '42 found in 2 ms, showing 1\n{"id":"1","name":"Ann"}\n');
  const url = new URL(server.requests[0]!.url, 'http://x');
  assert.equal(url.pathname, '/solr/emp/select');
  assert.deepEqual([url.searchParams.get('q'), url.searchParams.get('rows'), url.searchParams.getAll('fq')], ['name:ann', '1', ['dept:d1', 'age:[1 TO 9]']]);

  const bad = await run(['search', 'emp', 'bad:(', '--url', server.url]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, "error: syntax error at 5: expected ')'\n");
});

test('delete reports success', async () => {
  await using server = await startFakeServer(() => ok({}));
  const res = await run(['delete', 'emp', '--url', server.url]);
  assert.equal(res.code, 0);
  assert.equal(res.stdout, 'index emp deleted\n');
  assert.equal(server.requests[0]!.emethod, 'do_delete_index');
});

test('usage errors exit 2; an unreachable server exits 1 with a readable message', async () => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['frobnicate'])).code, 2);
  assert.equal((await run(['status'])).code, 2);
  assert.equal((await run(['create'])).code, 2);
  assert.equal((await run(['tasks', 'abc'])).code, 2);
  assert.equal((await run(['status', 'x', '--bogus'])).code, 2);
  assert.equal((await run(['--help'])).code, 0);
  const closedPort = await freePort();
  const down = await run(['status', 'emp', '--url', `http://127.0.0.1:${closedPort}`]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^error: cannot reach Tidesearch at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
});

test('status of an index without a channel says none', async () => {
  await using server = await startFakeServer((r) =>
    r.emethod === 'do_get_index_status'
      ? ok({ doc_num: 5, latest_fullbuild_time: null, incr_ready: false })
      : { json: { success: false, errormsg: ["index 'emp' has no incremental channel"], msg: [], bizresult: {}, errorcode: 'INCR_NOT_FOUND' } },
  );
  const res = await run(['status', 'emp', '--url', server.url]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /last full build: +never/);
  assert.match(res.stdout, /channel: +none/);
});
